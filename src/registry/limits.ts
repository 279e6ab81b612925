// Lambda's limits, with the error names and messages AWS answers when one is exceeded.
import { RegistryError, invalidParameter, validationError } from './errors.js';

export const LIMITS = {
  memoryMin: 128,
  memoryMax: 10240,
  timeoutMin: 1,
  timeoutMax: 900,
  ephemeralMin: 512,
  ephemeralMax: 10240,
  layersPerFunction: 5,
  zippedUpload: 52_428_800,
  createFunctionRequest: 70_167_211,
  unzippedTotal: 262_144_000,
  environmentBytes: 4096,
  syncPayload: 6_291_456,
  syncResponse: 6_291_556,
  eventPayload: 1_048_576,
  clientContextBytes: 3583,
  description: 256,
  compatibleRuntimes: 15,
  compatibleArchitectures: 2,
  accountConcurrency: 1000,
  minUnreservedConcurrency: 100,
  totalCodeSize: 80_530_636_800,
  pageSize: 50,
} as const;

/** Runtimes Lambda knows (botocore's enum). */
export const RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x', 'nodejs4.3-edge',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'python3.9', 'python3.10', 'python3.11', 'python3.12',
  'python3.13', 'python3.14',
  'java8', 'java8.al2', 'java11', 'java17', 'java21', 'java25',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet8', 'dotnet10',
  'go1.x', 'ruby2.5', 'ruby2.7', 'ruby3.2', 'ruby3.3', 'ruby3.4', 'ruby4.0',
  'provided', 'provided.al2', 'provided.al2023',
] as const;

/** Runtimes past deprecation: no new functions, no updates; with the runtime AWS recommends instead. */
const DEPRECATED_RUNTIMES: Readonly<Record<string, string>> = {
  nodejs: 'nodejs22.x', 'nodejs4.3': 'nodejs22.x', 'nodejs4.3-edge': 'nodejs22.x', 'nodejs6.10': 'nodejs22.x',
  'nodejs8.10': 'nodejs22.x', 'nodejs10.x': 'nodejs22.x', 'nodejs12.x': 'nodejs22.x', 'nodejs14.x': 'nodejs22.x',
  'nodejs16.x': 'nodejs22.x', 'python2.7': 'python3.13', 'python3.6': 'python3.13', 'python3.7': 'python3.13',
  'python3.8': 'python3.13', 'dotnetcore1.0': 'dotnet8', 'dotnetcore2.0': 'dotnet8', 'dotnetcore2.1': 'dotnet8',
  'dotnetcore3.1': 'dotnet8', dotnet6: 'dotnet8', 'ruby2.5': 'ruby3.3', 'ruby2.7': 'ruby3.3', 'go1.x': 'provided.al2023',
};

/** Names Lambda sets itself and refuses to let a function override. */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;

export function checkMemorySize(value: number): void {
  checkInteger(value, 'memorySize');
  if (value < LIMITS.memoryMin) throw validationError(String(value), 'memorySize', `Member must have value greater than or equal to ${LIMITS.memoryMin}`);
  if (value > LIMITS.memoryMax) throw validationError(String(value), 'memorySize', `Member must have value less than or equal to ${LIMITS.memoryMax}`);
}

export function checkTimeout(value: number): void {
  checkInteger(value, 'timeout');
  if (value < LIMITS.timeoutMin) throw validationError(String(value), 'timeout', `Member must have value greater than or equal to ${LIMITS.timeoutMin}`);
  if (value > LIMITS.timeoutMax) throw validationError(String(value), 'timeout', `Member must have value less than or equal to ${LIMITS.timeoutMax}`);
}

export function checkEphemeralStorage(value: number): void {
  checkInteger(value, 'ephemeralStorage.size');
  if (value < LIMITS.ephemeralMin || value > LIMITS.ephemeralMax) {
    const bound = value < LIMITS.ephemeralMin ? `greater than or equal to ${LIMITS.ephemeralMin}` : `less than or equal to ${LIMITS.ephemeralMax}`;
    throw validationError(String(value), 'ephemeralStorage.size', `Member must have value ${bound}`);
  }
}

export function checkDescription(value: string): void {
  if (value.length > LIMITS.description) {
    throw validationError(value, 'description', `Member must have length less than or equal to ${LIMITS.description}`);
  }
}

export function checkRuntime(value: string): void {
  if (!(RUNTIMES as readonly string[]).includes(value)) {
    throw invalidParameter(
      `Value ${value} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIMES.join(', ')}] or be a valid ARN`,
    );
  }
  const instead = DEPRECATED_RUNTIMES[value];
  if (instead !== undefined) {
    throw invalidParameter(
      `The runtime parameter of ${value} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${instead}) while creating or updating functions.`,
    );
  }
}

export function checkArchitectures(value: readonly string[]): void {
  if (value.length !== 1) {
    throw validationError(`[${value.join(', ')}]`, 'architectures', 'Member must have length less than or equal to 1');
  }
  if (value[0] !== 'x86_64' && value[0] !== 'arm64') {
    throw validationError(`[${value.join(', ')}]`, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]');
  }
}

export function checkRole(value: string): void {
  if (!/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(value)) {
    throw validationError(value, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  }
}

/** Environment variables: key pattern, reserved keys, 4 KB measured as compact JSON. */
export function checkEnvironment(variables: Record<string, string>): void {
  for (const key of Object.keys(variables)) {
    if (!ENV_KEY.test(key)) {
      throw validationError(key, 'environment.variables', 'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]');
    }
  }
  const reserved = Object.keys(variables).filter((k) => (RESERVED_ENVIRONMENT_KEYS as readonly string[]).includes(k));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured, 'utf8') > LIMITS.environmentBytes) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}

export function checkLayerCount(count: number): void {
  if (count > LIMITS.layersPerFunction) throw invalidParameter('Cannot reference more than 5 layers.');
}

export function checkZippedSize(bytes: number): void {
  if (bytes > LIMITS.zippedUpload) {
    throw new RegistryError('RequestEntityTooLargeException', `Zipped size must be smaller than ${LIMITS.zippedUpload} bytes`);
  }
}

export function checkUnzippedSize(bytes: number): void {
  if (bytes > LIMITS.unzippedTotal) {
    throw invalidParameter(`Unzipped size must be smaller than ${LIMITS.unzippedTotal} bytes`);
  }
}

export function checkSyncPayload(bytes: number): void {
  if (bytes > LIMITS.syncPayload) {
    throw new RegistryError('RequestEntityTooLargeException', `Request must be smaller than ${LIMITS.syncPayload} bytes for the InvokeFunction operation`);
  }
}

export function checkEventPayload(bytes: number, limit: number = LIMITS.eventPayload): void {
  if (bytes > limit) {
    throw new RegistryError('RequestEntityTooLargeException', `${bytes} byte payload is too large for the Event invocation type (limit ${limit} bytes)`);
  }
}

/** MaxItems for list operations: 1..50 (AWS caps pages at 50). */
export function checkMaxItems(value: number | undefined, field = 'maxItems'): number {
  if (value === undefined) return LIMITS.pageSize;
  if (!Number.isInteger(value) || value < 1) throw validationError(String(value), field, 'Member must have value greater than or equal to 1');
  if (value > 10000) throw validationError(String(value), field, 'Member must have value less than or equal to 10000');
  return Math.min(value, LIMITS.pageSize);
}

function checkInteger(value: number, field: string): void {
  if (!Number.isInteger(value)) throw validationError(String(value), field, 'Member must be an integer');
}
