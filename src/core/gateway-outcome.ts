// What one request to the local API Gateway came to: the function's result sent, or why the gateway answered
// itself (its log line, the dashboard, the tests use these words).

export const GATEWAY_OUTCOMES = ['invoked', 'no-route', 'function-error', 'malformed-result', 'invoke-refused', 'throttled', 'timeout', 'too-large', 'foreign-host'] as const;
export type GatewayOutcome = (typeof GATEWAY_OUTCOMES)[number];
/** The outcomes where the gateway answers with its own canned response (API Gateway's status and body). */
export type GatewayFailure = Exclude<GatewayOutcome, 'invoked'>;
