// Splits an environment's output stream into per-invocation segments. When an invocation's log is wanted, the
// runtime is asked (a header on /next) to frame its output with marker lines, `\0pipe:start:<requestId>` and
// `\0pipe:end:<requestId>:<maxMemoryBytes>`, written before it answers; the segment is complete once the end
// marker has come through Docker's log stream. Invocations nobody reads the log of write no markers, so the
// warm path costs no log traffic.
import { StringDecoder } from 'node:string_decoder';

export interface LogSegment {
  /** Output before the start marker since the previous segment: the init output, on a cold start. */
  preamble: string;
  text: string;
  /** Peak memory of the environment as the runtime measured it at the end of the invocation. */
  maxMemoryBytes?: number;
  /** False when the end marker never came (timeout, crash, or the wait ran out). */
  complete: boolean;
}

/** The header on /next that asks the bootstrap for markers. */
export const LOG_MARKERS_HEADER = 'x-pipe-log-markers';

const MARKER = /\0pipe:(start|end):([^:\n]+)(?::(\d+))?\n/;
/** Text kept while nobody asks for it (output of invocations whose log nobody wanted). */
const MAX_PENDING_CHARS = 256 * 1024;

export class LogCollector {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private current: { requestId: string; preamble: string } | undefined;
  private readonly done = new Map<string, LogSegment>();
  private readonly waiters = new Map<string, (segment: LogSegment) => void>();
  private readonly abandoned = new Set<string>();

  push(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    for (;;) {
      const m = MARKER.exec(this.pending);
      if (!m) break;
      const before = this.pending.slice(0, m.index);
      this.pending = this.pending.slice(m.index + m[0].length);
      const requestId = m[2] ?? '';
      if (m[1] === 'start') {
        this.current = { requestId, preamble: before };
        continue;
      }
      const preamble = this.current?.requestId === requestId ? this.current.preamble : '';
      this.current = undefined;
      const segment: LogSegment = { preamble, text: before, complete: true };
      // Markers written by the environment rather than the bootstrap carry no memory figure.
      if (m[3] !== undefined) segment.maxMemoryBytes = Number(m[3]);
      this.settle(requestId, segment);
    }
    if (this.pending.length > MAX_PENDING_CHARS) this.pending = this.pending.slice(-MAX_PENDING_CHARS);
  }

  /** The segment of one invocation: at once if its end marker came, else when it comes or after `waitMs`. */
  take(requestId: string, waitMs: number): Promise<LogSegment> {
    const seen = this.done.get(requestId);
    if (seen) {
      this.done.delete(requestId);
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(requestId);
        this.abandoned.add(requestId);
        resolve(this.takePending());
      }, waitMs);
      this.waiters.set(requestId, (segment) => {
        clearTimeout(timer);
        resolve(segment);
      });
    });
  }

  /** Whatever came since the last marker, for an invocation that will never see its end marker. */
  takePending(): LogSegment {
    const segment: LogSegment = { preamble: this.current?.preamble ?? '', text: this.pending, complete: false };
    this.pending = '';
    this.current = undefined;
    return segment;
  }

  private settle(requestId: string, segment: LogSegment): void {
    const waiter = this.waiters.get(requestId);
    if (waiter) {
      this.waiters.delete(requestId);
      waiter(segment);
      return;
    }
    if (this.abandoned.delete(requestId)) return;
    this.done.set(requestId, segment);
  }
}
