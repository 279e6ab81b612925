// One HTTP server: the dashboard (pages, JSON API, live events) and the AWS APIs on the same port.
export { PipeServer } from './pipe-server.js';
export type { PipeServerOptions } from './pipe-server.js';
export { InvocationJournal } from './invocations.js';
export type { InvocationRecord } from './invocations.js';
export { ensureServeToken, checkGivenToken, TOKEN_FILE } from './token.js';
export { isLoopbackHost, TOKEN_COOKIE } from './guard.js';
