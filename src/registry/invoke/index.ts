// The registry's invoke side: execution environments in Docker, the Runtime API, the warm pool.
// The control plane uses createDockerInvoker (an Invoker, see ../invoke-port.ts) and the error classes.
export { createDockerInvoker, createLazyDockerInvoker, removeLeftoverEnvironments, ENVIRONMENT_LABELS, ENVIRONMENT_ROLE, DEFAULT_IMAGE } from './docker-invoker.js';
export type { DockerInvoker, DockerInvokerOptions, EnvironmentEvent } from './docker-invoker.js';
export { TooManyRequestsError, MAX_RESPONSE_BYTES } from './errors.js';
export type { ThrottleReason, FunctionErrorBody } from './errors.js';
export { InvalidRuntimeError } from './runtime-config.js';
export type { Credentials } from './runtime-config.js';
export { ENVIRONMENT_STATES } from '../../core/index.js';
export type { EnvironmentState } from '../../core/index.js';
