// Service errors of the invoke side, and the JSON bodies of function errors exactly as Lambda returns them.
import { RegistryError } from '../errors.js';

/** Why an invocation was throttled, in Lambda's words (the `Reason` field of the 429 body). */
export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

/**
 * The function has as many invocations in flight as it may have: a RegistryError, so the HTTP API answers 429
 * `TooManyRequestsException` with `Retry-After` and `{"Type":"User","message":"Rate Exceeded.","Reason":...}`.
 */
export class TooManyRequestsError extends RegistryError {
  readonly reason: ThrottleReason;
  readonly limit: number;

  constructor(functionArn: string, limit: number, reason: ThrottleReason) {
    super('TooManyRequestsException', 'Rate Exceeded.', {
      fields: { Reason: reason },
      headers: { 'Retry-After': '1' },
      hint: `${functionArn} already has ${limit} invocation${limit === 1 ? '' : 's'} in flight; retry later or raise its concurrency`,
    });
    this.name = 'TooManyRequestsError';
    this.reason = reason;
    this.limit = limit;
  }
}

/** The body of a function error (what goes back with `X-Amz-Function-Error: Unhandled`). */
export type FunctionErrorBody = Record<string, unknown> & { errorType: string; errorMessage: string };

/** Largest response a function may return synchronously: 6 MiB + 100 bytes. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

export function timeoutErrorBody(requestId: string, timeoutSeconds: number): FunctionErrorBody {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** The log line Lambda writes when an invocation times out. */
export function timeoutLogLine(requestId: string, timeoutSeconds: number, at: Date): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** How a Go runtime (Lambda's own sandbox agent) describes a process's end: `exit status 1`, `signal: killed`. */
export function describeExit(statusCode: number): string {
  if (statusCode > 128 && statusCode < 160) {
    const signals: Record<number, string> = { 6: 'aborted', 9: 'killed', 11: 'segmentation fault', 15: 'terminated' };
    return `signal: ${signals[statusCode - 128] ?? `signal ${statusCode - 128}`}`;
  }
  return `exit status ${statusCode}`;
}

export function exitErrorBody(requestId: string, statusCode: number): FunctionErrorBody {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(statusCode)}`,
  };
}

export function responseTooLargeErrorBody(): FunctionErrorBody {
  return {
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    errorType: 'Function.ResponseSizeTooLarge',
  };
}

/** The environment could not be made ready (container failed to start, init never finished). */
export function sandboxFailureErrorBody(requestId: string, detail: string): FunctionErrorBody {
  return { errorType: 'Sandbox.Failure', errorMessage: `RequestId: ${requestId} Error: ${detail}` };
}

/** A runtime posted an error body that is not a JSON object: keep what it said, under the type it gave. */
export function normaliseErrorBody(raw: Buffer, errorTypeHeader: string | undefined): Buffer {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return raw;
  } catch {
    // fall through
  }
  const body: FunctionErrorBody = {
    errorType: errorTypeHeader && errorTypeHeader !== '' ? errorTypeHeader : 'Runtime.Unknown',
    errorMessage: raw.toString('utf8'),
  };
  return Buffer.from(JSON.stringify(body));
}
