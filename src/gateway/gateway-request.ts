// One HTTP request as the gateway received it, before it becomes a proxy event: wire-case headers in order, the
// raw path and query, the body as bytes; and the readings both payload versions share (query maps, body text).

export interface GatewayRequest {
  method: string;
  /** The path as sent, percent-encoding kept, without the query. */
  rawPath: string;
  /** The query as sent, without `?` ('' when none). */
  rawQuery: string;
  /** Header pairs with their names as sent, in order, duplicates kept. */
  headers: [string, string][];
  body: Buffer;
  sourceIp: string;
  /** The port the request came in on (X-Forwarded-Port). */
  port: number;
  /** When the request arrived (ms since the epoch). */
  receivedAt: number;
}

/** Splits a request target (`/a/b?x=1`) into path and query. */
export function splitTarget(target: string): { rawPath: string; rawQuery: string } {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  return { rawPath: rawPath === '' ? '/' : rawPath, rawQuery: q < 0 ? '' : target.slice(q + 1) };
}

/** Node's rawHeaders (name, value, name, value, ...) as pairs. */
export function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return pairs;
}

/** The first value of a header, by case-insensitive name. */
export function headerValue(req: GatewayRequest, name: string): string | undefined {
  const lower = name.toLowerCase();
  return req.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Values per header name; names keep the case they were first sent in unless `lowercase`. */
export function groupHeaders(pairs: readonly [string, string][], lowercase: boolean): Map<string, string[]> {
  const byLower = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const entry = byLower.get(key);
    if (entry) entry.values.push(value);
    else byLower.set(key, { name: lowercase ? key : name, values: [value] });
  }
  return new Map([...byLower.values()].map((e) => [e.name, e.values]));
}

function decodeQueryPart(part: string): string {
  const spaced = part.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** Query values per key, decoded, in order (`a=1&a=2&b` gives a: ['1','2'], b: ['']). */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (rawQuery === '') return out;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? '' : decodeQueryPart(piece.slice(eq + 1));
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

const TEXT_TYPES = /^(?:text\/|application\/(?:json|xml|javascript|x-www-form-urlencoded|graphql|x-yaml|yaml)\b|application\/[\w.+-]+\+(?:json|xml)\b)/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as the event carries it: text when its Content-Type is a text type (or absent) and it is valid
 * UTF-8, else base64 with `isBase64Encoded`. (GatewayRoute carries no BinaryMediaTypes: every non-text type is
 * treated as binary, as a REST API with `*\/*` listed would; HTTP APIs decide by Content-Type the same way.)
 */
export function eventBody(req: GatewayRequest): { body: string; isBase64Encoded: boolean } | undefined {
  if (req.body.length === 0) return undefined;
  const type = headerValue(req, 'content-type');
  if (type === undefined || TEXT_TYPES.test(type.trim())) {
    try {
      return { body: utf8.decode(req.body), isBase64Encoded: false };
    } catch {
      // not UTF-8: sent as binary below
    }
  }
  return { body: req.body.toString('base64'), isBase64Encoded: true };
}

/** API Gateway's request time: `09/Apr/2015:12:34:56 +0000`. */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
