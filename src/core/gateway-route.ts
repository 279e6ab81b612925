// A route of the local API Gateway: what a deployed stack's `Api` / `HttpApi` events and `FunctionUrlConfig`
// become (the deploy room writes them with the stack), and what the gateway serves (the gateway room reads them).

export const GATEWAY_API_KINDS = ['rest', 'http', 'function-url'] as const;
/** `rest`: API Gateway REST API, proxy payload 1.0; `http`: HTTP API, payload 2.0; `function-url`: payload 2.0, every path. */
export type GatewayApiKind = (typeof GATEWAY_API_KINDS)[number];

export interface GatewayRoute {
  stackName: string;
  /** The API's logical id (`ServerlessRestApi`, `ServerlessHttpApi` for SAM's implicit ones, or the template's), or the function's for a URL. */
  apiId: string;
  kind: GatewayApiKind;
  /** `ANY` or an upper-case HTTP method (function URLs: `ANY`). */
  method: string;
  /** API Gateway's resource path: `/`, `/users/{id}`, `/files/{proxy+}` (function URLs: `/{proxy+}`). */
  path: string;
  /** The stage name (`Prod` for SAM's implicit REST API, `$default` for HTTP APIs). */
  stage: string;
  /** What the route invokes: a function name or ARN and the qualifier SAM wires (the AutoPublishAlias alias). */
  functionName: string;
  qualifier?: string;
  /** Payload format for HTTP APIs ('1.0' or '2.0'); REST APIs always send 1.0. */
  payloadFormatVersion?: '1.0' | '2.0';
}
