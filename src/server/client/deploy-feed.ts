// The live feed of stacks and deployments: one EventSource on /api/deploy-events, opened while a page that shows
// them listens (the Stacks pages, a function's page for its alias bar), closed when none does.
import type { DeploymentView } from './stack-shapes.js';

export type DeployMessage = { kind: 'stack'; name: string; status: string } | { kind: 'deployment'; deployment: DeploymentView };
type Listener = (m: DeployMessage) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;

function open(): void {
  source = new EventSource('/api/deploy-events');
  const send = (m: DeployMessage) => {
    for (const l of listeners) {
      try {
        l(m);
      } catch (e) {
        console.error(e);
      }
    }
  };
  // Marked on <html> so that a page (and a test) knows from when on every change reaches it.
  source.addEventListener('ready', () => (document.documentElement.dataset['deployFeed'] = 'live'));
  source.addEventListener('error', () => (document.documentElement.dataset['deployFeed'] = 'reconnecting'));
  source.addEventListener('stack', (e) => {
    const d = JSON.parse((e as MessageEvent<string>).data) as { name: string; status: string };
    send({ kind: 'stack', name: d.name, status: d.status });
  });
  source.addEventListener('deployment', (e) => send({ kind: 'deployment', deployment: JSON.parse((e as MessageEvent<string>).data) as DeploymentView }));
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
