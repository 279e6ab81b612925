// Turns output chunks into lines and writes CodeBuild's own log lines ("[Container] ... Entering phase BUILD").
import { LINE_CONTINUED_MARK, LINE_SPLIT_MARK, MAX_LOG_LINE_BYTES, MAX_STORED_LOG_BYTES } from '../core/index.js';
export type LineSink = (stream: 'stdout' | 'stderr' | 'system', line: string) => void;

/**
 * Splits a byte stream into lines; call flush() at the end for a last line without newline. Works on bytes, so a
 * line never grows past MAX_LOG_LINE_BYTES in memory: a longer one is sent in pieces of at most that size, marks
 * included (LINE_SPLIT_MARK at the end of each but the last, LINE_CONTINUED_MARK at the start of each but the
 * first), and a piece never ends inside a UTF-8 character.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** The current line was already split: its next piece starts with LINE_CONTINUED_MARK. */
  private continued = false;
  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly sink: LineSink,
    private readonly maxBytes = MAX_LOG_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(start, end));
      if (nl === -1) return;
      this.emitLine();
      start = nl + 1;
    }
  }

  flush(): void {
    if (this.size > 0 || this.continued) this.emitLine();
  }

  /** Adds bytes of the current line, sending full pieces as they fill. */
  private append(bytes: Buffer): void {
    const room = this.maxBytes - MARKS_BYTES;
    let rest = bytes;
    while (this.size + rest.length > room) {
      const pending = Buffer.concat([...this.parts, rest]);
      const cut = utf8Boundary(pending, room);
      this.sink(this.stream, `${this.continued ? LINE_CONTINUED_MARK : ''}${pending.subarray(0, cut).toString('utf8')}${LINE_SPLIT_MARK}`);
      this.continued = true;
      this.parts = [];
      this.size = 0;
      rest = pending.subarray(cut);
    }
    if (rest.length > 0) {
      this.parts.push(rest);
      this.size += rest.length;
    }
  }

  private emitLine(): void {
    const line = Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    this.sink(this.stream, this.continued ? `${LINE_CONTINUED_MARK}${line}` : line);
    this.continued = false;
  }
}

const MARKS_BYTES = Buffer.byteLength(LINE_SPLIT_MARK) + Buffer.byteLength(LINE_CONTINUED_MARK);

/** The largest offset <= `max` that does not fall inside a UTF-8 sequence (continuation bytes are 10xxxxxx). */
function utf8Boundary(bytes: Buffer, max: number): number {
  let cut = Math.min(max, bytes.length);
  while (cut > 0 && cut < bytes.length && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut > 0 ? cut : Math.min(max, bytes.length);
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
