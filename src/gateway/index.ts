// The local API Gateway: HTTP requests in, API Gateway proxy events to Lambda, results back out. What `pipe serve`
// (or anyone) needs to run it: startGateway, or the request listener for a server of its own, and each route's URLs.
export { startGateway, createGatewayListener, MAX_BODY_BYTES, MAX_HEADER_BYTES } from './gateway-server.js';
export type { Gateway, GatewayOptions } from './gateway-server.js';
export { INTEGRATION_TIMEOUT_MS } from './gateway-handler.js';
export type { GatewayRequestLog } from './gateway-handler.js';
export { gatewayHostId, FUNCTION_URL_PREFIX } from './gateway-ids.js';
export { gatewayUrlsOf, shadowingRoutes } from './gateway-urls.js';
export type { GatewayUrls } from './gateway-urls.js';
export { readGatewayRoutes, checkResourcePath } from './route-file.js';
