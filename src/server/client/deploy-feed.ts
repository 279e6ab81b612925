// The live feed of stacks and deployments: one EventSource on /api/deploy-events (the deploy room's event log), opened
// while a page that shows them listens (the Stacks pages, a function's page for its alias bar), closed when none
// does. Each message carries its log sequence number as its id: after a dropped connection or a server restart the
// browser asks for what came after the last one it saw (Last-Event-ID), so no change is lost.
import type { DeploymentView } from './stack-shapes.js';

export type DeployMessage =
  | { kind: 'stack'; name: string; status: string; removed: boolean; seq: number }
  | { kind: 'stack-event'; name: string; seq: number }
  | { kind: 'deployment'; change: string; deployment: DeploymentView; seq: number };
type Listener = (m: DeployMessage) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;

function open(): void {
  source = new EventSource('/api/deploy-events');
  const send = (m: DeployMessage) => {
    document.documentElement.dataset['deploySeq'] = String(m.seq);
    for (const l of listeners) {
      try {
        l(m);
      } catch (e) {
        console.error(e);
      }
    }
  };
  const read = (e: Event) => {
    const m = e as MessageEvent<string>;
    return { seq: Number(m.lastEventId), data: JSON.parse(m.data) as Record<string, unknown> };
  };
  // Marked on <html> so that a page (and a test) knows from when on every change reaches it.
  source.addEventListener('ready', () => (document.documentElement.dataset['deployFeed'] = 'live'));
  source.addEventListener('error', () => (document.documentElement.dataset['deployFeed'] = 'reconnecting'));
  source.addEventListener('stack', (e) => {
    const { seq, data } = read(e);
    send({ kind: 'stack', name: String(data['name']), status: String(data['status']), removed: data['removed'] === true, seq });
  });
  source.addEventListener('stack-event', (e) => {
    const { seq, data } = read(e);
    send({ kind: 'stack-event', name: String(data['name']), seq });
  });
  source.addEventListener('deployment', (e) => {
    const { seq, data } = read(e);
    send({ kind: 'deployment', change: String(data['change']), deployment: data as unknown as DeploymentView, seq });
  });
}

export function onDeployChange(l: Listener): () => void {
  listeners.add(l);
  if (!source) open();
  return () => {
    listeners.delete(l);
    if (listeners.size === 0) {
      source?.close();
      source = undefined;
      delete document.documentElement.dataset['deployFeed'];
    }
  };
}
