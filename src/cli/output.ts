// Where the CLI writes: stdout and stderr, whether they are terminals, and whether colour is wanted.
import { stdoutClosed } from './stop-signals.js';
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
  /** The terminal's width now (it can change), where stdout is a terminal. */
  readonly columns: number | undefined;
  /** Set by a command whose outcome is not an exception (a failed run exits 1). */
  exitCode?: number;
}

export function createOutput(): Output {
  const isTTY = Boolean(process.stdout.isTTY);
  let closed = false;
  // A reader that went away (`pipe logs ID | head`) is not an error: stop writing and end quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (closed) return; // writes queued before the close was seen fail too
    if (e.code !== 'EPIPE') throw e;
    closed = true;
    stdoutClosed();
  });
  return {
    stdout: (t) => {
      if (!closed) process.stdout.write(t);
    },
    stderr: (t) => void process.stderr.write(t),
    get columns() {
      return process.stdout.columns;
    },
    isTTY,
    color: isTTY && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb',
  };
}

/** An Output that keeps what was written, for tests. */
export function createMemoryOutput(): Output & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    isTTY: false,
    color: false,
    columns: undefined,
    stdout(t: string) {
      o.out += t;
    },
    stderr(t: string) {
      o.err += t;
    },
  };
  return o;
}
