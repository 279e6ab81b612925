// Who may talk to the server: the Host must name the bound address (no DNS rebinding), an Origin must be the
// dashboard's own (no cross-site request), and the dashboard's pages and API need the token (cookie or bearer).
// The AWS APIs on the same port take signed requests as AWS clients send them, under the same Host/Origin rules.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

export const TOKEN_COOKIE = 'pipe_token';

export interface GuardPolicy {
  /** The address the server is bound to, as given (`127.0.0.1`, `0.0.0.0`, `::1`, an interface's address). */
  boundHost: string;
  port: number;
  token: string;
}

export type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host names a request may carry in `Host` (and `Origin`): loopback, the bound address, or any IP if bound to all. */
function isAllowedHostName(name: string, policy: GuardPolicy): boolean {
  const bound = policy.boundHost.includes(':') && !policy.boundHost.startsWith('[') ? `[${policy.boundHost}]` : policy.boundHost;
  if (name === bound || LOOPBACK_NAMES.has(name)) return true;
  // Bound to every address: any address literal names this machine; a DNS name could be a rebinding attacker's.
  if (policy.boundHost === '0.0.0.0' || policy.boundHost === '::') return isIP(name.replace(/^\[|\]$/g, '')) !== 0;
  return false;
}

function splitHostPort(hostPort: string): { name: string; port: number | undefined } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m) return undefined;
  return { name: (m[1] ?? '').toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Host and Origin: every request, the AWS APIs' too. */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, policy: GuardPolicy): Verdict {
  const host = splitHostPort(headers.host ?? '');
  if (!host || !isAllowedHostName(host.name, policy) || (host.port ?? 80) !== policy.port) {
    return { ok: false, status: 403, message: `Host '${headers.host ?? ''}' is not this server's address` };
  }
  const origin = headers.origin;
  if (origin === undefined) return { ok: true };
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const originHost = url && url.protocol === 'http:' ? splitHostPort(url.host) : undefined;
  if (!originHost || !isAllowedHostName(originHost.name, policy) || (originHost.port ?? 80) !== policy.port) {
    return { ok: false, status: 403, message: `requests from origin '${origin}' are refused` };
  }
  return { ok: true };
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer`, else from the dashboard's cookie. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  for (const part of (headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export function isTokenValid(given: string | undefined | null, policy: GuardPolicy): boolean {
  return typeof given === 'string' && sameSecret(given, policy.token);
}

export function checkToken(headers: IncomingHttpHeaders, policy: GuardPolicy): Verdict {
  const given = presentedToken(headers);
  if (given === undefined) return { ok: false, status: 401, message: 'this needs the token printed by pipe serve: open the URL it printed, or send Authorization: Bearer TOKEN' };
  if (!isTokenValid(given, policy)) return { ok: false, status: 401, message: 'the token is wrong: open the URL pipe serve printed' };
  return { ok: true };
}

/**
 * Whether a request is for the AWS APIs rather than the dashboard: signed by an AWS client, or a JSON-protocol
 * call, or any path the dashboard does not own (Lambda's REST paths).
 */
export function isAwsRequest(method: string, pathname: string, headers: IncomingHttpHeaders): boolean {
  if (headers['x-amz-target'] !== undefined) return true;
  if ((headers.authorization ?? '').startsWith('AWS4-')) return true;
  if (pathname === '/' && method !== 'GET' && method !== 'HEAD') return true;
  return !isDashboardPath(pathname);
}

export function isDashboardPath(pathname: string): boolean {
  return pathname === '/' || pathname === '/favicon.ico' || pathname.startsWith('/api/') || pathname.startsWith('/assets/');
}
