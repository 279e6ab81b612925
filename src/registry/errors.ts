// The registry's one error table: AWS's error names, their HTTP status, fault side and message key.
import { PipeError } from '../core/index.js';
import type { ErrorCode } from '../core/index.js';

interface ErrorSpec {
  status: number;
  /** `User` for caller faults, `Service` for 5xx, as AWS's bodies say. */
  type: 'User' | 'Service';
  /** AWS writes the message under `Message` for some exceptions and `message` for others. */
  messageKey: 'Message' | 'message';
  /** The PipeError code the CLI maps to an exit code. */
  code: ErrorCode;
}

export const REGISTRY_ERRORS = {
  InvalidParameterValueException: { status: 400, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  ValidationException: { status: 400, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  InvalidRequestContentException: { status: 400, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  SerializationException: { status: 400, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  CodeStorageExceededException: { status: 400, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  AccessDeniedException: { status: 403, type: 'User', messageKey: 'Message', code: 'INVALID_ARGUMENT' },
  ResourceNotFoundException: { status: 404, type: 'User', messageKey: 'Message', code: 'NOT_FOUND' },
  UnknownOperationException: { status: 404, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  ResourceConflictException: { status: 409, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  PreconditionFailedException: { status: 412, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  RequestEntityTooLargeException: { status: 413, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  // Not Lambda error types: HTTP answers the front end gives before any operation is known (reason phrases).
  URITooLong: { status: 414, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  RequestHeaderFieldsTooLarge: { status: 431, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  UnsupportedMediaTypeException: { status: 415, type: 'User', messageKey: 'message', code: 'INVALID_ARGUMENT' },
  TooManyRequestsException: { status: 429, type: 'User', messageKey: 'message', code: 'INTERNAL' },
  ServiceException: { status: 500, type: 'Service', messageKey: 'Message', code: 'INTERNAL' },
  ResourceNotReadyException: { status: 502, type: 'Service', messageKey: 'message', code: 'INTERNAL' },
  InvalidRuntimeException: { status: 502, type: 'User', messageKey: 'Message', code: 'INTERNAL' },
  InvalidZipFileException: { status: 502, type: 'User', messageKey: 'Message', code: 'INTERNAL' },
} as const satisfies Record<string, ErrorSpec>;

export type RegistryErrorName = keyof typeof REGISTRY_ERRORS;

export interface RegistryErrorOptions {
  /** Extra body fields AWS sends with some errors (e.g. `Reason` with TooManyRequestsException). */
  fields?: Record<string, string>;
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>;
  hint?: string;
  cause?: unknown;
}

/** An error of the Lambda API: the same object is thrown in-process and becomes the HTTP error response. */
export class RegistryError extends PipeError {
  readonly errorName: RegistryErrorName;
  readonly status: number;
  readonly fields: Record<string, string>;
  readonly headers: Record<string, string>;

  constructor(errorName: RegistryErrorName, message: string, options: RegistryErrorOptions = {}) {
    const spec: ErrorSpec = REGISTRY_ERRORS[errorName];
    super(spec.code, message, {
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'RegistryError';
    this.errorName = errorName;
    this.status = spec.status;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON body AWS sends: `Type`, the message under AWS's key for this error, and any extra fields. */
  toBody(): Record<string, string> {
    const spec: ErrorSpec = REGISTRY_ERRORS[this.errorName];
    return { Type: spec.type, [spec.messageKey]: this.message, ...this.fields };
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

/** A "1 validation error detected" ValidationException in AWS's wording. */
export function validationError(value: unknown, field: string, constraint: string): RegistryError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new RegistryError(
    'ValidationException',
    `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}

export function notFound(message: string): RegistryError {
  return new RegistryError('ResourceNotFoundException', message);
}

export function invalidParameter(message: string): RegistryError {
  return new RegistryError('InvalidParameterValueException', message);
}

export function conflict(message: string): RegistryError {
  return new RegistryError('ResourceConflictException', message);
}

export const REVISION_MISMATCH =
  'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';

export function preconditionFailed(): RegistryError {
  return new RegistryError('PreconditionFailedException', REVISION_MISMATCH);
}
