// What the function's result becomes on the wire: payload 1.0's strict shape (REST refuses unknown keys and
// non-string bodies) and 2.0's lenient one (no statusCode: the result itself is a 200 JSON body).
import type { GatewayResponse } from './gateway-responses.js';

export type MappedResult = { ok: true; response: GatewayResponse } | { ok: false; reason: string };

const V1_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function parse(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function bodyBytes(body: unknown, base64: boolean): Buffer | undefined {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body !== 'string') return undefined;
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function withDefaultType(headers: [string, string][]): [string, string][] {
  return headers.some(([n]) => n.toLowerCase() === 'content-type') ? headers : [...headers, ['content-type', 'application/json']];
}

/**
 * Payload 1.0. `strict` (REST APIs): only the five keys, and `isBase64Encoded` a boolean; HTTP APIs on 1.0 take
 * the same shape but ignore other keys. `headers` and `multiValueHeaders` merge; a pair in both is sent once.
 */
export function mapV1Result(payload: Buffer, strict: boolean): MappedResult {
  const parsed = parse(payload);
  if (!parsed.ok || !isObject(parsed.value)) return { ok: false, reason: 'the result is not a JSON object' };
  const r = parsed.value;
  if (strict) {
    const extra = Object.keys(r).filter((k) => !V1_KEYS.has(k));
    if (extra.length > 0) return { ok: false, reason: `unexpected keys ${extra.join(', ')}` };
  }
  const status = statusOf(r.statusCode);
  if (status === undefined) return { ok: false, reason: 'statusCode is missing or not an HTTP status' };
  if (r.isBase64Encoded !== undefined && typeof r.isBase64Encoded !== 'boolean') return { ok: false, reason: 'isBase64Encoded is not a boolean' };
  const headers: [string, string][] = [];
  const seen = new Set<string>();
  const add = (name: string, value: string) => {
    const key = `${name.toLowerCase()}\0${value}`;
    if (seen.has(key)) return;
    seen.add(key);
    headers.push([name, value]);
  };
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (!isObject(r.multiValueHeaders)) return { ok: false, reason: 'multiValueHeaders is not an object' };
    for (const [name, values] of Object.entries(r.multiValueHeaders)) {
      if (!Array.isArray(values) || !values.every(isScalar)) return { ok: false, reason: `multiValueHeaders.${name} is not a list of strings` };
      for (const v of values) add(name, String(v));
    }
  }
  if (r.headers !== undefined && r.headers !== null) {
    if (!isObject(r.headers)) return { ok: false, reason: 'headers is not an object' };
    for (const [name, value] of Object.entries(r.headers)) {
      if (!isScalar(value)) return { ok: false, reason: `headers.${name} is not a string` };
      add(name, String(value));
    }
  }
  const body = bodyBytes(r.body, r.isBase64Encoded === true);
  if (body === undefined) return { ok: false, reason: 'body is not a string' };
  return { ok: true, response: { status, headers: withDefaultType(headers), body } };
}

/**
 * Payload 2.0: an object with `statusCode` is a response (`cookies` become Set-Cookie headers, unknown keys are
 * ignored); anything else (an object without it, a string, a number, a list) is a 200 JSON body, as returned.
 */
export function mapV2Result(payload: Buffer): MappedResult {
  const parsed = parse(payload);
  if (!parsed.ok) return { ok: false, reason: 'the result is not JSON' };
  const r = parsed.value;
  if (!isObject(r) || !('statusCode' in r)) {
    return { ok: true, response: { status: 200, headers: [['content-type', 'application/json']], body: payload } };
  }
  const status = statusOf(r.statusCode);
  if (status === undefined) return { ok: false, reason: 'statusCode is not an HTTP status' };
  const headers: [string, string][] = [];
  if (r.headers !== undefined && r.headers !== null) {
    if (!isObject(r.headers)) return { ok: false, reason: 'headers is not an object' };
    for (const [name, value] of Object.entries(r.headers)) {
      if (!isScalar(value)) return { ok: false, reason: `headers.${name} is not a string` };
      headers.push([name, String(value)]);
    }
  }
  if (r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies) || !r.cookies.every((c) => typeof c === 'string')) return { ok: false, reason: 'cookies is not a list of strings' };
    for (const c of r.cookies) headers.push(['set-cookie', c]);
  }
  const body = bodyBytes(r.body, r.isBase64Encoded === true);
  if (body === undefined) return { ok: false, reason: 'body is not a string' };
  return { ok: true, response: { status, headers: withDefaultType(headers), body } };
}
