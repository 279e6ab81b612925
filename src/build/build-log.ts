// Turns output chunks into lines and writes CodeBuild's own log lines ("[Container] ... Entering phase BUILD").
export type LineSink = (stream: 'stdout' | 'stderr' | 'system', line: string) => void;

/** Splits a byte stream into lines; call flush() at the end for a last line without newline. */
export class LineSplitter {
  private rest = '';
  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly sink: LineSink,
  ) {}

  push(chunk: Buffer): void {
    const text = this.rest + chunk.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.sink(this.stream, l.replace(/\r$/, ''));
  }

  flush(): void {
    if (this.rest) this.sink(this.stream, this.rest);
    this.rest = '';
  }
}

function stamp(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}`;
}

/** A line in the agent's voice, as CodeBuild prints it. */
export function agentLine(message: string): string {
  return `[Container] ${stamp()} ${message}`;
}
