// The wire protocols of the AWS APIs mounted beside Lambda's REST API: JSON (POST /, X-Amz-Target: Prefix.Op) and
// query (form-encoded Action=Op, answered in XML), each with AWS's error shape. Services are plain operation
// tables (core's AwsService); this file only decodes, dispatches and encodes.
import type { IncomingMessage } from 'node:http';
import { AwsApiError, isAwsApiError } from '../../core/index.js';
import type { AwsCall, AwsService } from '../../core/index.js';
import type { ApiResponse } from './request.js';

/** Largest request body an AWS JSON or query call may have. */
export const AWS_CALL_BODY_LIMIT = 1024 * 1024;

export interface AwsDispatch {
  service: AwsService;
  /** The operation named by X-Amz-Target (JSON), or undefined until the query body is read. */
  operation?: string;
}

/** The service a request is for, from X-Amz-Target (JSON) or a form body and the credential scope (query). */
export function matchAwsService(req: IncomingMessage, pathname: string, services: readonly AwsService[]): AwsDispatch | undefined {
  if (services.length === 0 || req.method !== 'POST' || pathname !== '/') return undefined;
  const target = headerOf(req, 'x-amz-target');
  if (target !== undefined) {
    const dot = target.lastIndexOf('.');
    const prefix = dot === -1 ? target : target.slice(0, dot);
    const service = services.find((s) => s.protocol === 'json' && s.targetPrefix === prefix);
    return service ? { service, operation: target.slice(dot + 1) } : undefined;
  }
  if (!(headerOf(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const signing = signingNameOf(headerOf(req, 'authorization'));
  const query = services.filter((s) => s.protocol === 'query');
  const service = query.find((s) => s.signingName === signing) ?? (query.length === 1 ? query[0] : undefined);
  return service ? { service } : undefined;
}

/** Decodes the body, runs the operation, and encodes its answer or its error in the service's protocol. */
export async function dispatchAwsCall(
  dispatch: AwsDispatch,
  body: Buffer,
  base: Omit<AwsCall, 'service' | 'operation'>,
  onUnknown?: (operation: string) => void,
): Promise<ApiResponse> {
  const { service } = dispatch;
  let operation = dispatch.operation ?? '';
  try {
    let input: Record<string, unknown>;
    if (service.protocol === 'json') {
      input = parseJsonInput(body);
    } else {
      const form = new URLSearchParams(body.toString('utf8'));
      operation = form.get('Action') ?? '';
      if (operation === '') throw new AwsApiError('MissingAction', 'The request must contain the parameter Action.');
      form.delete('Action');
      form.delete('Version');
      input = decodeQueryInput(form);
    }
    const handler = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
    if (!handler) {
      onUnknown?.(operation);
      throw service.protocol === 'json'
        ? new AwsApiError('UnknownOperationException', `The operation ${operation} is not supported by this endpoint.`)
        : new AwsApiError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    }
    const output = await handler(input, { ...base, service: service.signingName, operation });
    return service.protocol === 'json'
      ? { status: 200, raw: Buffer.from(JSON.stringify(output, jsonDates)), headers: { 'Content-Type': jsonType(service) } }
      : { status: 200, raw: Buffer.from(queryResponse(service, operation, output, base.requestId)), headers: { 'Content-Type': 'text/xml' } };
  } catch (e) {
    const error = isAwsApiError(e) ? e : new AwsApiError('InternalFailure', `The service failed: ${e instanceof Error ? e.message : String(e)}`, 500);
    return service.protocol === 'json'
      ? { status: error.status, raw: Buffer.from(JSON.stringify({ __type: error.code, message: error.message })), headers: { 'Content-Type': jsonType(service), 'x-amzn-ErrorType': error.code } }
      : { status: error.status, raw: Buffer.from(queryError(service, error, base.requestId)), headers: { 'Content-Type': 'text/xml' } };
  }
}

function parseJsonInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new AwsApiError('SerializationException', `Could not parse the request body as JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** `A.member.2.B=x` becomes `{ A: [<1>, { B: 'x' }] }`; `M.entry.1.key/value` pairs stay as written (objects). */
export function decodeQueryInput(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    const parts = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      const last = i === parts.length - 1;
      if (part === 'member' && i + 1 < parts.length && /^\d+$/.test(parts[i + 1] ?? '')) continue;
      const index = /^\d+$/.test(part) && parts[i - 1] === 'member' ? Number(part) - 1 : undefined;
      if (Array.isArray(node)) {
        if (index === undefined || index < 0 || index > 1000) throw new AwsApiError('ValidationError', `Malformed list parameter ${key}`);
        if (last) node[index] = value;
        else node = (node[index] ??= nextContainer(parts, i)) as Record<string, unknown> | unknown[];
      } else {
        if (last) node[part] = value;
        else node = (node[part] ??= nextContainer(parts, i)) as Record<string, unknown> | unknown[];
      }
    }
  }
  return compactLists(root) as Record<string, unknown>;
}

function nextContainer(parts: readonly string[], i: number): Record<string, unknown> | unknown[] {
  return parts[i + 1] === 'member' ? [] : {};
}

function compactLists(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined).map(compactLists);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, compactLists(x)]));
  return v;
}

function queryResponse(service: AwsService, operation: string, output: Record<string, unknown>, requestId: string): string {
  const ns = service.xmlNamespace ? ` xmlns="${service.xmlNamespace}"` : '';
  return `<${operation}Response${ns}><${operation}Result>${toXml(output)}</${operation}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

function queryError(service: AwsService, error: AwsApiError, requestId: string): string {
  const ns = service.xmlNamespace ? ` xmlns="${service.xmlNamespace}"` : '';
  return `<ErrorResponse${ns}><Error><Type>${error.isSenderFault ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(error.code)}</Code>`
    + `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** An object as query-protocol XML: one element per key, arrays as `<member>` lists, Maps as `<entry>` key/value pairs, undefined keys left out. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return [...(value as Map<unknown, unknown>)].map(([k, v]) => `<entry><key>${toXml(k)}</key><value>${toXml(v)}</value></entry>`).join('');
  if (Array.isArray(value)) return value.map((m) => `<member>${toXml(m)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"\r]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#13;' })[c] ?? c);
}

/** Dates in JSON answers are epoch seconds, as AWS's JSON protocols send timestamps. */
function jsonDates(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

function jsonType(service: AwsService): string {
  return `application/x-amz-json-${service.jsonVersion ?? '1.1'}`;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The service of a SigV4 credential scope (`Credential=AKID/20260101/us-east-1/cloudformation/aws4_request`). */
export function signingNameOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return /Credential=[^/,\s]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\/aws4_request/.exec(authorization)?.[1];
}
