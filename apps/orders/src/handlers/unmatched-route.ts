import { readEnv } from '@shop/shared/config';
import { httpHandler, refuseUnmatchedRoute } from '@shop/shared/http';
import { observability } from '#observability';

// The API's own route keys, set by infra from the routes it defines ("POST /orders,GET /orders/{orderId},...").
const routeKeys = readEnv({ routes: 'API_ROUTE_KEYS' }).routes.split(',');

/**
 * The HTTP API's `$default` route: every request no route matches gets the error shape of the
 * contract (405 with `Allow` for a known path, else 404) instead of API Gateway's own body.
 */
export const handler = httpHandler(observability, async (request) =>
  refuseUnmatchedRoute(routeKeys, request.method, request.path),
);
