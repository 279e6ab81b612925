// The seam between the registry's control plane (functions, versions, aliases, layers, HTTP API) and the
import type { INVOCATION_TYPES } from './model.js';
// invoke side (execution environments, the Runtime API server, the warm pool). The control plane resolves a
// name and qualifier to an InvokeTarget; the invoke side runs it.

/** Everything needed to run one function version. Immutable for a given (functionArn, revisionId). */
export interface InvokeTarget {
  functionName: string;
  /** Unqualified function ARN: arn:aws:lambda:<region>:<account>:function:<name>. */
  functionArn: string;
  /** The ARN the caller used, qualified if it was (goes into the context's invokedFunctionArn). */
  invokedFunctionArn: string;
  /** `$LATEST` or a version number, as text. */
  version: string;
  /** Changes on every change of code or configuration: environments of another revision are retired. */
  revisionId: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  region: string;
  /** Absolute path of the function's code zip (content-addressed store). */
  codeZipPath: string;
  /** Layer zips in the function's listed order (later ones win when extracted into /opt). */
  layerZipPaths: string[];
  /** Reserved concurrency (PutFunctionConcurrency), if set. */
  reservedConcurrency?: number;
}

export type InvocationType = (typeof INVOCATION_TYPES)[number];

export interface InvokeRequest {
  target: InvokeTarget;
  payload: Buffer;
  logType: 'None' | 'Tail';
  /** The invocation's request id, kept across an Event invocation's retries as Lambda does; made by the Invoker if absent. */
  requestId?: string;
  /** Base64 client context (X-Amz-Client-Context), passed to the runtime as Lambda-Runtime-Client-Context. */
  clientContext?: string;
}

export interface InvokeResult {
  statusCode: 200;
  payload: Buffer;
  /** Set for function errors: `Unhandled` (or `Handled`), with AWS's JSON error body as payload. */
  functionError?: 'Unhandled' | 'Handled';
  executedVersion: string;
  /** Base64 of the last 4 KB of the invocation's log, when logType was Tail. */
  logResult?: string;
  requestId: string;
}

/** What the invoke side offers the control plane. */
/** Whether the invoke side can run a runtime, and on what: Lambda's function state says it (InvalidRuntime). */
export type RuntimeSupport = { supported: true; note?: string } | { supported: false; reason: string };

export interface Invoker {
  /** Whether functions of this runtime can run here (absent: every runtime is taken as runnable). */
  runtimeSupport?(runtime: string): RuntimeSupport;
  /** Synchronous invoke. Throws a RegistryError (TooManyRequestsException, ...) for service errors only. */
  invoke(request: InvokeRequest): Promise<InvokeResult>;
  /** Stops and removes every environment of this function (all versions), e.g. on delete or code update. */
  retire(functionArn: string, version?: string): Promise<void>;
  /** Stops everything, removes all containers. */
  close(): Promise<void>;
}
