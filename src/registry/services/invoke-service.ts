// Invoke: resolves name + qualifier (and alias weights, per request) to an InvokeTarget and hands it to the Invoker.
import { randomUUID } from 'node:crypto';
import { functionArn, parseFunctionRef } from '../arn.js';
import { RegistryError, conflict, invalidParameter, validationError } from '../errors.js';
import type { InvokeInput, InvokeOutput } from '../inputs.js';
import type { InvocationType, InvokeTarget } from '../invoke-port.js';
import { LIMITS, checkEventPayload, checkSyncPayload } from '../limits.js';
import { INVOCATION_TYPES, LOG_TYPES } from '../model.js';
import type { FunctionVersionRecord, RequestScope } from '../model.js';
import { arnContext, fingerprintOf, requireFunction, requireVersion, resolveQualified } from './context.js';
import type { RegistryContext } from './context.js';
import type { EventQueue } from './event-queue.js';

export async function invoke(ctx: RegistryContext, queue: EventQueue, input: InvokeInput, scope?: RequestScope): Promise<InvokeOutput> {
  const arn = arnContext(ctx, scope);
  const type = checkEnum(input.InvocationType ?? 'RequestResponse', INVOCATION_TYPES, 'invocationType') as InvocationType;
  const logType = checkEnum(input.LogType ?? 'None', LOG_TYPES, 'logType') as 'None' | 'Tail';
  const payload = input.Payload ?? Buffer.alloc(0);
  if (type === 'Event') checkEventPayload(payload.length);
  else checkSyncPayload(payload.length);
  if (input.ClientContext !== undefined && Buffer.byteLength(input.ClientContext) > LIMITS.clientContextBytes) {
    throw invalidParameter(`Client context must be smaller than ${LIMITS.clientContextBytes} bytes.`);
  }
  if (input.ClientContext !== undefined) checkClientContext(input.ClientContext);
  const ref = parseFunctionRef(input.FunctionName, arn, input.Qualifier, 170);
  const resolved = resolveQualified(ctx, arn, ref);
  const record = pickWeighted(ctx, resolved.record, resolved.alias?.weights ?? {});
  if (record.state === 'Pending' || record.state === 'Failed') {
    throw conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${record.state}`);
  }
  const body = checkJsonPayload(payload);
  const row = requireFunction(ctx, arn, ref.name);
  if (row.reservedConcurrency === 0) {
    ctx.metrics.record({ region: record.region, functionName: record.functionName, qualifier: ref.qualifier, executedVersion: record.version, at: ctx.now(), outcome: 'throttled', durationMs: 0 });
    throw new RegistryError('TooManyRequestsException', 'Rate Exceeded.', {
      fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
      headers: { 'Retry-After': '1' },
    });
  }
  const target = buildTarget(ctx, record, row.reservedConcurrency, functionArn(arn, ref.name, ref.qualifier));
  const requestId = randomUUID();
  if (type === 'DryRun') return { StatusCode: 204, RequestId: requestId };
  const request = input.ClientContext === undefined
    ? { target, payload: body, logType, requestId }
    : { target, payload: body, logType, requestId, clientContext: input.ClientContext };
  if (type === 'Event') {
    queue.enqueue({ ...request, logType: 'None' });
    return { StatusCode: 202, RequestId: requestId };
  }
  const result = await ctx.invoker.invoke(request);
  const out: InvokeOutput = { StatusCode: 200, Payload: result.payload, ExecutedVersion: result.executedVersion, RequestId: result.requestId };
  if (result.functionError !== undefined) out.FunctionError = result.functionError;
  if (result.logResult !== undefined) out.LogResult = result.logResult;
  return out;
}

/** X-Amz-Client-Context must be base64 of a JSON object, as AWS checks before the function sees it. */
function checkClientContext(value: string): void {
  const isBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value);
  let parsed: unknown;
  try {
    parsed = isBase64 ? JSON.parse(Buffer.from(value, 'base64').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Client context must be a valid Base64-encoded JSON object.');
  }
}

/** An alias with weights sends each request to the additional version with probability `weight`. */
function pickWeighted(ctx: RegistryContext, primary: FunctionVersionRecord, weights: Record<string, number>): FunctionVersionRecord {
  const entry = Object.entries(weights)[0];
  if (entry === undefined) return primary;
  const [version, weight] = entry;
  if (ctx.random() >= weight) return primary;
  return requireVersion(ctx, { region: primary.region, account: primary.account }, primary.functionName, version);
}

function buildTarget(ctx: RegistryContext, r: FunctionVersionRecord, reserved: number | undefined, invokedArn: string): InvokeTarget {
  const target: InvokeTarget = {
    functionName: r.functionName,
    functionArn: functionArn({ region: r.region, account: r.account }, r.functionName),
    invokedFunctionArn: invokedArn,
    version: r.version,
    // The fingerprint of code and configuration: it changes exactly when environments must be replaced.
    revisionId: fingerprintOf(r),
    runtime: r.runtime,
    handler: r.handler,
    memorySize: r.memorySize,
    timeout: r.timeout,
    environment: r.environment ?? {},
    region: r.region,
    codeZipPath: ctx.blobs.pathOf(r.codeSha256),
    layerZipPaths: r.layers.map((l) => ctx.blobs.pathOf(l.codeSha256)),
  };
  if (reserved !== undefined) target.reservedConcurrency = reserved;
  return target;
}

/** The payload must be JSON; an empty one is `{}`. */
function checkJsonPayload(payload: Buffer): Buffer {
  if (payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
    return payload;
  } catch (e) {
    throw new RegistryError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
    );
  }
}

function checkEnum(value: string, allowed: readonly string[], field: string): string {
  if (!allowed.includes(value)) throw validationError(value, field, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return value;
}
