import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ERROR_STATUS } from '@shop/contracts/errors';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import {
  AppError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from './errors.ts';
import { type LambdaHandler, type Observability, withObservability } from './observability.ts';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HttpRequest {
  /** The correlation id of this request: API Gateway's request id. Returned as `x-correlation-id`. */
  readonly correlationId: string;
  /** `GET`, `POST`, ... */
  readonly method: string;
  /** The request path, e.g. `/orders/ord_01J...`. */
  readonly path: string;
  /** The raw body text, after the size check. A JSON body: `readJsonBody(request)` (./json-body.ts). */
  text(): string;
  /** A path parameter of the route; throws ValidationError when it is absent. */
  pathParameter(name: string): string;
  /** A request header, by case-insensitive name. */
  header(name: string): string | undefined;
  /**
   * A query string parameter, decoded, by its exact name; a repeated one arrives joined with commas,
   * as API Gateway passes it. `undefined` when the request does not carry it.
   */
  queryParameter(name: string): string | undefined;
  /**
   * The signed-in customer: the `sub` claim of the token the API's JWT authorizer verified. Throws
   * UnauthorizedError (401) when there is none, as on a route deployed without the authorizer.
   */
  customerId(): string;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An HTTP API (payload 2.0) event: with the JWT authorizer's claims on the customer routes, without
 * them on a route that has no authorizer, such as the bank's webhook.
 */
export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer | APIGatewayProxyEventV2;

export type HttpHandler = LambdaHandler<HttpEvent, APIGatewayProxyStructuredResultV2>;

/**
 * The one wrapper for API Gateway HTTP API (payload v2) handlers: observability, correlation id,
 * JSON responses, and typed errors mapped to the error shape `{ error: { code, message, details? } }`.
 * A 500 never carries the error's message: it is logged with the correlation id instead.
 */
export function httpHandler(
  observability: Observability,
  handle: (request: HttpRequest, context: Context) => Promise<HttpResult>,
): HttpHandler {
  const { logger, metrics } = observability;
  return withObservability(observability, async (event, context) => {
    const request = createRequest(event);
    logger.setCorrelationId(request.correlationId);
    logger.appendKeys({ route: event.routeKey });
    const response = await answer(request, context);
    // One count per status class: the API's success and error rates, per function.
    metrics.addMetric(`Http${String(response.statusCode).charAt(0)}xx`, MetricUnit.Count, 1);
    return response;
  });

  async function answer(request: HttpRequest, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
    try {
      return respond(await handle(request, context), request.correlationId);
    } catch (error) {
      if (error instanceof AppError) {
        const status = ERROR_STATUS[error.code];
        logger.info('Request refused', { status, code: error.code, reason: error.message });
        const body = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          },
        };
        const headers: Record<string, string> =
          error instanceof MethodNotAllowedError ? { allow: error.allowedMethods.join(', ') } : {};
        return respond({ status, body, headers }, request.correlationId);
      }
      logger.error('Request failed', error as Error);
      const body = {
        error: {
          code: 'internal_error',
          message: 'The request could not be completed. Quote the x-correlation-id header when reporting it.',
        },
      };
      return respond({ status: 500, body }, request.correlationId);
    }
  }
}

function respond(result: HttpResult, correlationId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: result.status,
    headers: {
      ...(result.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
      'x-correlation-id': correlationId,
      ...result.headers,
    },
    ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
  };
}

function createRequest(event: HttpEvent): HttpRequest {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  }
  const text = (): string => {
    const raw = event.body ?? '';
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    if (bytes.byteLength > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(`Request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    return bytes.toString('utf8');
  };
  return {
    correlationId: event.requestContext.requestId,
    method: event.requestContext.http.method,
    path: event.rawPath,
    text,
    pathParameter(name) {
      const value = event.pathParameters?.[name];
      if (value === undefined || value === '') throw new ValidationError(`Path parameter ${name} is missing`);
      return value;
    },
    header: (name) => headers.get(name.toLowerCase()),
    // Own properties only: a parameter named `constructor` or `__proto__` is not in the object's prototype.
    queryParameter(name) {
      const parameters = event.queryStringParameters ?? {};
      return Object.hasOwn(parameters, name) ? parameters[name] : undefined;
    },
    customerId() {
      const { requestContext } = event;
      const claims = 'authorizer' in requestContext ? requestContext.authorizer?.jwt?.claims : undefined;
      // Claim values are strings in payload 2.0; anything else is not a customer id.
      const sub = claims?.sub;
      if (typeof sub !== 'string' || sub === '') {
        throw new UnauthorizedError('This route needs a signed-in customer');
      }
      return sub;
    },
  };
}

/**
 * Answers a request no route of the API matched (the API's `$default` route): 405 with the methods
 * the path does accept, or 404. `routeKeys` are the API's route keys, e.g. `GET /orders/{orderId}`.
 */
export function refuseUnmatchedRoute(routeKeys: readonly string[], method: string, path: string): never {
  const allowed = routeKeys
    .map((routeKey) => routeKey.split(' '))
    .filter(([, template = '']) => routeTemplate(template).test(path))
    .map(([routeMethod = '']) => routeMethod);
  if (allowed.length > 0 && !allowed.includes(method)) {
    throw new MethodNotAllowedError('This path does not accept this method', [...new Set(allowed)].sort());
  }
  throw new NotFoundError('No route matches this method and path');
}

function routeTemplate(template: string): RegExp {
  const segments = template
    .split('/')
    .map((segment) =>
      /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${segments.join('/')}$`);
}
