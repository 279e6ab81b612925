// The ids that address one API or function URL on the gateway's port: stable, DNS-safe stand-ins for AWS's
// `{apiId}.execute-api` and `{url-id}.lambda-url` host labels, derived from the stack and the logical id.
import { createHash } from 'node:crypto';
import type { GatewayRoute } from '../core/index.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function idOf(text: string, length: number): string {
  const digest = createHash('sha256').update(text).digest();
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return id;
}

/**
 * The host id of a route's API (10 characters, like an API Gateway id) or function URL (32, like a url-id): the
 * same stack and logical id give the same id on every start, so a URL a user saved keeps working.
 */
export function gatewayHostId(route: Pick<GatewayRoute, 'stackName' | 'apiId' | 'kind'>): string {
  return idOf(`${route.stackName}\0${route.apiId}`, route.kind === 'function-url' ? 32 : 10);
}

/** What a request's Host header names: one API, one function URL, or neither (the plain form: every API). */
export type HostAddress = { kind: 'api' | 'function-url'; hostId: string } | { kind: 'plain' };

const HOST = /^([a-z0-9]+)\.(execute-api|lambda-url)(?:\.[a-z0-9-]+)?\.localhost\.?$/;

/** `{id}.execute-api[.{region}].localhost[:port]` or `{id}.lambda-url[.{region}].localhost[:port]`, else plain. */
export function parseHost(host: string | undefined): HostAddress {
  const name = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  const m = HOST.exec(name);
  if (!m?.[1]) return { kind: 'plain' };
  return { kind: m[2] === 'lambda-url' ? 'function-url' : 'api', hostId: m[1] };
}

/** The path prefix that reaches a function URL without its host name (for clients that do not resolve *.localhost). */
export const FUNCTION_URL_PREFIX = '/_lambda-url/';

/**
 * Whether a Host header names this machine's loopback: 127.0.0.1 (any 127.x), [::1], localhost and *.localhost.
 * A page of another site that rebinds its own name to 127.0.0.1 still sends its own name, and is refused.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 clients send none; only a browser's request carries the page's name
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(name);
}
