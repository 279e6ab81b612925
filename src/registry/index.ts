// The registry (the local Lambda): what the rest of pipe may use — the in-process API, its shapes and errors, the server.
export { Registry } from './registry.js';
export type { RegistryOptions } from './registry.js';
export { RegistryError, REGISTRY_ERRORS, isRegistryError } from './errors.js';
export type { RegistryErrorName } from './errors.js';
export { FUNCTION_STATES, LAST_UPDATE_STATUSES, INVOCATION_TYPES, LATEST } from './model.js';
export type { FunctionState, LastUpdateStatus, RequestScope } from './model.js';
export { LIMITS, RUNTIMES } from './limits.js';
export { functionArn, layerVersionArn, parseFunctionRef, DEFAULT_ACCOUNT } from './arn.js';
export type * from './shapes.js';
export type * from './inputs.js';
export type { GetFunctionOutput } from './services/functions-service.js';
export type { AccountSettings } from './services/account-service.js';
export type { EventOutcome } from './services/event-queue.js';
export type { InvokeTarget, InvokeRequest, InvokeResult, Invoker, InvocationType } from './invoke-port.js';
export { RegistryServer } from './http/server.js';
export type { RegistryServerOptions } from './http/server.js';
export { invokeOverHttp, listFunctionsOverHttp, listLayersOverHttp } from './http/client.js';
export { createDockerInvoker } from './invoke/index.js';
