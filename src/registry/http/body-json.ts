// Parses a JSON request body from its bytes, as JSON.parse would, except that the values of `ZipFile` members (base64
// blobs of up to 50 MB) are decoded in place, inside the body's own buffer, and returned as Buffers: no 70 MB string
// is ever made, so taking a 50 MB zip costs the body's bytes and nothing more.
import { RegistryError } from '../errors.js';

/** Members whose string value is a base64 blob (every blob member of a JSON body in the Lambda model). */
const BLOB_MEMBERS = new Set(['ZipFile']);

const DECODE = new Int16Array(256).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) DECODE[c.charCodeAt(0)] = i;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

class Parser {
  private i = 0;

  constructor(private readonly buf: Buffer) {}

  parse(): unknown {
    this.skip();
    const v = this.value(undefined);
    this.skip();
    if (this.i < this.buf.length) this.fail('Unexpected non-whitespace character after JSON');
    return v;
  }

  private fail(why: string): never {
    throw new RegistryError('InvalidRequestContentException', `Could not parse request body into json: ${why} at position ${this.i}`);
  }

  private skip(): void {
    const b = this.buf;
    while (this.i < b.length && (b[this.i] === 0x20 || b[this.i] === 0x0a || b[this.i] === 0x0d || b[this.i] === 0x09)) this.i++;
  }

  private expect(c: number): void {
    if (this.buf[this.i] !== c) this.fail(this.i >= this.buf.length ? 'Unexpected end of JSON input' : `Expected '${String.fromCharCode(c)}'`);
    this.i++;
  }

  private value(key: string | undefined): unknown {
    const c = this.buf[this.i];
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    if (c === QUOTE) return key !== undefined && BLOB_MEMBERS.has(key) ? this.blob(key) : this.string();
    if (c === 0x74) return this.literal('true', true);
    if (c === 0x66) return this.literal('false', false);
    if (c === 0x6e) return this.literal('null', null);
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail(c === undefined ? 'Unexpected end of JSON input' : `Unexpected token '${String.fromCharCode(c)}'`);
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.skip();
    if (this.buf[this.i] === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.buf[this.i] !== QUOTE) this.fail('Expected a property name');
      const key = this.string();
      this.skip();
      this.expect(0x3a);
      this.skip();
      Object.defineProperty(out, key, { value: this.value(key), enumerable: true, writable: true, configurable: true });
      this.skip();
      if (this.buf[this.i] === 0x2c) {
        this.i++;
        continue;
      }
      this.expect(0x7d);
      return out;
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.skip();
    if (this.buf[this.i] === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skip();
      out.push(this.value(undefined));
      this.skip();
      if (this.buf[this.i] === 0x2c) {
        this.i++;
        continue;
      }
      this.expect(0x5d);
      return out;
    }
  }

  /** A string token; escapes and validation are JSON.parse's own, on the token's bytes. */
  private string(): string {
    const start = this.i;
    const end = this.stringEnd();
    let escaped = false;
    for (let j = start + 1; j < end; j++) {
      const b = this.buf[j] as number;
      if (b === BACKSLASH || b < 0x20) {
        escaped = true;
        break;
      }
    }
    this.i = end + 1;
    if (!escaped) return this.buf.toString('utf8', start + 1, end);
    try {
      return JSON.parse(this.buf.toString('utf8', start, end + 1)) as string;
    } catch (e) {
      this.i = start;
      return this.fail((e as Error).message);
    }
  }

  /** Index of the closing quote of the string token at this.i. */
  private stringEnd(): number {
    let j = this.i + 1;
    const b = this.buf;
    while (j < b.length) {
      const c = b[j];
      if (c === BACKSLASH) j += 2;
      else if (c === QUOTE) return j;
      else j++;
    }
    this.i = b.length;
    return this.fail('Unterminated string in JSON');
  }

  /**
   * A base64 string decoded into the buffer over its own text (the output is shorter than the input, so writing
   * never overtakes reading), returned as a view on those bytes. Escaped line breaks are skipped, as base64 decoders do.
   */
  private blob(key: string): Buffer {
    const start = this.i + 1;
    const end = this.stringEnd();
    const b = this.buf;
    const backslash = b.indexOf(BACKSLASH, start);
    if (backslash !== -1 && backslash < end) return this.escapedBlob(key, start - 1);
    let out = start;
    let acc = 0;
    let bits = 0;
    let padding = 0;
    for (let j = start; j < end; j++) {
      const c = b[j] as number;
      if (c < 0x20) this.fail('Bad control character in string literal');
      if (c === 0x3d) {
        padding++;
        continue;
      }
      const d = DECODE[c] as number;
      if (d < 0 || padding > 0) throw notBase64(key);
      acc = (acc << 6) | d;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        b[out++] = (acc >> bits) & 0xff;
      }
    }
    if (padding > 2) throw notBase64(key);
    this.i = end + 1;
    return b.subarray(start, out);
  }

  /** A blob written with JSON escapes (`\/`, `\n`): rare and never large, so read as a string first. */
  private escapedBlob(key: string, tokenStart: number): Buffer {
    this.i = tokenStart;
    const text = this.string().replace(/[\r\n]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw notBase64(key);
    return Buffer.from(text, 'base64');
  }

  private literal<T>(text: string, v: T): T {
    if (this.buf.toString('latin1', this.i, this.i + text.length) !== text) this.fail(`Unexpected token '${String.fromCharCode(this.buf[this.i] ?? 0)}'`);
    this.i += text.length;
    return v;
  }

  private number(): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.buf.toString('latin1', this.i, Math.min(this.buf.length, this.i + 400)));
    if (!m) return this.fail('No number after minus sign');
    this.i += m[0].length;
    return Number(m[0]);
  }
}

function notBase64(key: string): RegistryError {
  return new RegistryError('InvalidParameterValueException', `${key} is not valid base64.`);
}

/**
 * The body as a JSON object; `ZipFile` values come back as Buffers that share the body's memory (so the body must
 * not be used as text afterwards). An empty body is `{}`.
 */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  const parsed = new Parser(body).parse();
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError('InvalidRequestContentException', 'Could not parse request body into json: expected an object');
  }
  return parsed as Record<string, unknown>;
}
