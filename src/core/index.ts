// The core: ids, statuses, domain types, errors and events. Pure; imports nothing of the project.
export * from './errors.js';
export * from './status.js';
export * from './ids.js';
export * from './pipeline.js';
export * from './buildspec.js';
export * from './events.js';
export * from './log-lines.js';
export * from './aws-api.js';
export * from './gateway-route.js';
export * from './gateway-outcome.js';
export * from './job-status.js';
export * from './object-bucket.js';
export * from './deployment-status.js';
export * from './stack-status.js';
export * from './triggers.js';
export { sleepUnlessAborted } from './abortable-sleep.js';
