// A small, tolerant XML reader for test and coverage reports: elements, attributes, text and CDATA into a light
// tree. It skips prologs, comments, DOCTYPEs (with internal subsets) and processing instructions, keeps unknown
// entities literally, and fails with a line and column on what cannot be read (a truncated or mis-nested file).

export interface XmlElement {
  /** The local name: `ns:testcase` reads as `testcase`. */
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text and CDATA, concatenated, entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes the five XML entities and character references; anything else stays as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon >= 0 ? qualified.slice(colon + 1) : qualified;
}

/** Text from report bytes: UTF-8 (BOM or not), or UTF-16 when a BOM says so. */
export function decodeReportBytes(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

class Reader {
  private i = 0;
  private readonly stack: XmlElement[] = [];
  private root: XmlElement | undefined;

  constructor(private readonly src: string) {}

  fail(message: string, at = this.i): never {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    throw new XmlSyntaxError(message, line, at - before.lastIndexOf('\n'));
  }

  private skipPast(marker: string, what: string, from: number): void {
    const end = this.src.indexOf(marker, from);
    if (end < 0) this.fail(`unterminated ${what}`, from);
    this.i = end + marker.length;
  }

  private addText(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += text;
  }

  /** `<!DOCTYPE ...>` may hold an internal subset in brackets and quoted strings with `>` in them. */
  private skipDeclaration(from: number): void {
    let depth = 0;
    let quote = '';
    for (let j = from; j < this.src.length; j++) {
      const c = this.src[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) {
        this.i = j + 1;
        return;
      }
    }
    this.fail('unterminated declaration', from);
  }

  parse(): XmlElement {
    const src = this.src;
    while (this.i < src.length) {
      const lt = src.indexOf('<', this.i);
      if (lt < 0) {
        this.addText(decodeEntities(src.slice(this.i)));
        break;
      }
      if (lt > this.i) this.addText(decodeEntities(src.slice(this.i, lt)));
      if (src.startsWith('<!--', lt)) this.skipPast('-->', 'comment', lt + 4);
      else if (src.startsWith('<![CDATA[', lt)) {
        const end = src.indexOf(']]>', lt + 9);
        if (end < 0) this.fail('unterminated CDATA section', lt);
        this.addText(src.slice(lt + 9, end));
        this.i = end + 3;
      } else if (src.startsWith('<?', lt)) this.skipPast('?>', 'processing instruction', lt + 2);
      else if (src.startsWith('<!', lt)) this.skipDeclaration(lt + 2);
      else if (src.startsWith('</', lt)) this.closeTag(lt);
      else this.openTag(lt);
    }
    const open = this.stack[this.stack.length - 1];
    if (open) this.fail(`unexpected end of file: <${open.name}> is not closed`, src.length);
    if (!this.root) this.fail('no root element', 0);
    return this.root;
  }

  private closeTag(lt: number): void {
    const end = this.src.indexOf('>', lt);
    if (end < 0) this.fail('unterminated end tag', lt);
    const name = localName(this.src.slice(lt + 2, end).trim());
    const top = this.stack.pop();
    if (!top) this.fail(`end tag </${name}> without a start tag`, lt);
    if (top.name !== name) this.fail(`end tag </${name}> does not match <${top.name}>`, lt);
    this.i = end + 1;
  }

  private openTag(lt: number): void {
    const src = this.src;
    const nameMatch = /^[^\s/>]+/.exec(src.slice(lt + 1, lt + 200));
    if (!nameMatch) this.fail('expected an element name after <', lt);
    const element: XmlElement = { name: localName(nameMatch[0]), attrs: {}, children: [], text: '' };
    let j = lt + 1 + nameMatch[0].length;
    let selfClosing = false;
    for (;;) {
      while (j < src.length && /\s/.test(src[j] as string)) j++;
      if (j >= src.length) this.fail(`unterminated start tag <${element.name}>`, lt);
      if (src.startsWith('/>', j)) {
        selfClosing = true;
        j += 2;
        break;
      }
      if (src[j] === '>') {
        j += 1;
        break;
      }
      const attr = /^[^\s=/>]+/.exec(src.slice(j, j + 200));
      if (!attr) this.fail(`unexpected character '${src[j] ?? ''}' in <${element.name}>`, j);
      j += attr[0].length;
      while (j < src.length && /\s/.test(src[j] as string)) j++;
      let value = '';
      if (src[j] === '=') {
        j++;
        while (j < src.length && /\s/.test(src[j] as string)) j++;
        const quote = src[j];
        if (quote === '"' || quote === "'") {
          const close = src.indexOf(quote, j + 1);
          if (close < 0) this.fail(`unterminated attribute value in <${element.name}>`, j);
          value = src.slice(j + 1, close);
          j = close + 1;
        } else {
          // Unquoted values are not XML, but some generators write them; read to the next space or '>'.
          const bare = /^[^\s>]*/.exec(src.slice(j)) as RegExpExecArray;
          value = bare[0].endsWith('/') && src[j + bare[0].length] === '>' ? bare[0].slice(0, -1) : bare[0];
          j += value.length;
        }
      }
      element.attrs[attr[0]] = decodeEntities(value);
    }
    this.i = j;
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(element);
    else if (this.root) {
      // Content after the root element (a second document appended) is ignored.
      this.i = this.src.length;
      return;
    }
    else this.root = element;
    if (!selfClosing) this.stack.push(element);
  }
}

/** Reads a whole document; throws XmlSyntaxError with the position of the first problem. */
export function parseXml(text: string): XmlElement {
  return new Reader(text).parse();
}

/** Direct children with this (local) name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** Every element below `element` (depth first, document order) with this name. */
export function* descendantsNamed(element: XmlElement, name: string): Generator<XmlElement> {
  for (const child of element.children) {
    if (child.name === name) yield child;
    yield* descendantsNamed(child, name);
  }
}

/** A numeric attribute; tolerates thousands separators ("1,234.5"). Undefined when absent or not a number. */
export function numberAttr(element: XmlElement, name: string): number | undefined {
  const raw = element.attrs[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}
