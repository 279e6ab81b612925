// The live feed: one EventSource on /api/events; the browser resumes after the last id it saw (Last-Event-ID) when
// the connection or the server comes back. Pages subscribe for as long as they are shown.
import type { RunEvent } from '../../core/index.js';

export type LiveListener = (event: RunEvent, seq: number) => void;

export class LiveFeed {
  private readonly listeners = new Set<LiveListener>();
  private source: EventSource | undefined;
  lastSeq = 0;

  constructor(private readonly indicator: HTMLElement | null) {}

  start(): void {
    const source = new EventSource('/api/events');
    this.source = source;
    source.addEventListener('ready', (m) => {
      this.lastSeq = Number((m as MessageEvent<string>).lastEventId) || this.lastSeq;
      this.show('live', 'live');
    });
    source.addEventListener('run', (m) => {
      const msg = m as MessageEvent<string>;
      const seq = Number(msg.lastEventId);
      this.lastSeq = seq;
      const event = JSON.parse(msg.data) as RunEvent;
      for (const l of this.listeners) {
        try {
          l(event, seq);
        } catch (e) {
          console.error(e);
        }
      }
    });
    source.addEventListener('error', () => this.show('reconnecting', 'down'));
  }

  private show(text: string, state: string): void {
    if (!this.indicator) return;
    this.indicator.textContent = text;
    this.indicator.dataset['state'] = state;
  }

  subscribe(l: LiveListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
