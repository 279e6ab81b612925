// Where the CLI writes: stdout and stderr, whether they are terminals, and whether colour is wanted.
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
  /** Set by a command whose outcome is not an exception (a failed run exits 1). */
  exitCode?: number;
}

export function createOutput(): Output {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
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
    stdout(t: string) {
      o.out += t;
    },
    stderr(t: string) {
      o.err += t;
    },
  };
  return o;
}
