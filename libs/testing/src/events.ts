import { randomUUID } from 'node:crypto';
import { parseQuery } from '@shop/local-cloud/apigateway/lambda-event';
import type { HttpEvent } from '@shop/shared/http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  Context,
  ScheduledEvent,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import apiGatewayFixture from './fixtures/api-gateway-http-v2.json' with { type: 'json' };
import apiGatewayJwtFixture from './fixtures/api-gateway-http-v2-jwt.json' with { type: 'json' };
import eventBridgeFixture from './fixtures/eventbridge-event.json' with { type: 'json' };
import scheduledEventFixture from './fixtures/eventbridge-scheduled-event.json' with { type: 'json' };
import lambdaContextFixture from './fixtures/lambda-context.json' with { type: 'json' };
import sqsFixture from './fixtures/sqs-event.json' with { type: 'json' };

/**
 * Real Lambda event shapes, from JSON fixtures of real payloads, copied per call so that no test
 * sees another's changes.
 */
const copy = <T>(value: T): T => structuredClone(value);

export interface HttpEventOptions {
  method: string;
  /** The route as API Gateway names it, e.g. `/orders/{orderId}`. */
  route: string;
  pathParameters?: Record<string, string>;
  /** Query string parameters, unencoded; an array repeats the parameter (`?status=a&status=b`). */
  query?: Record<string, string | readonly string[]>;
  headers?: Record<string, string>;
  /** A value to send as JSON, or a raw string sent as it is. */
  body?: unknown;
  isBase64Encoded?: boolean;
  /**
   * The signed-in customer: the event then carries what the JWT authorizer passes on, the claims of
   * a Cognito ID token whose `sub` is this id (as strings, as in payload 2.0). Without it, the event
   * of a route that has no authorizer.
   */
  customerId?: string;
}

export function httpEvent(
  options: HttpEventOptions & { customerId: string },
): APIGatewayProxyEventV2WithJWTAuthorizer;
export function httpEvent(options: HttpEventOptions): APIGatewayProxyEventV2;
export function httpEvent(options: HttpEventOptions): HttpEvent {
  const event =
    options.customerId === undefined
      ? (copy(apiGatewayFixture) as unknown as APIGatewayProxyEventV2)
      : signedIn(
          copy(apiGatewayJwtFixture) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer,
          options.customerId,
        );
  const path = options.route.replace(/\{(\w+)\}/g, (_, name: string) => options.pathParameters?.[name] ?? '');
  const routeKey = `${options.method} ${options.route}`;
  event.routeKey = routeKey;
  event.rawPath = path;
  event.requestContext.routeKey = routeKey;
  event.requestContext.http.method = options.method;
  event.requestContext.http.path = path;
  event.requestContext.requestId = randomUUID();
  if (options.pathParameters) event.pathParameters = { ...options.pathParameters };
  if (options.query) Object.assign(event, queryString(options.query));
  if (options.headers) event.headers = { ...event.headers, ...options.headers };
  if (options.body === undefined) delete event.body;
  else event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  event.isBase64Encoded = options.isBase64Encoded ?? false;
  return event;
}

/**
 * The query as API Gateway passes it: `rawQueryString` URL-encoded as a client sends it, and
 * `queryStringParameters` decoded from it by the local cloud's parser (repeats joined with commas;
 * absent for an empty query), so that unit tests and the local cloud see the same event.
 */
function queryString(
  query: Record<string, string | readonly string[]>,
): Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'> {
  const rawQueryString = Object.entries(query)
    .flatMap(([name, values]) =>
      [values].flat().map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
    )
    .join('&');
  const queryStringParameters = parseQuery(rawQueryString);
  return queryStringParameters ? { rawQueryString, queryStringParameters } : { rawQueryString };
}

/** The claims of a token issued now to this customer (its username is its `sub`, as with email sign-in). */
function signedIn(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  customerId: string,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const issuedAt = Math.floor(Date.now() / 1000);
  const { claims } = event.requestContext.authorizer.jwt;
  Object.assign(claims, {
    sub: customerId,
    'cognito:username': customerId,
    auth_time: String(issuedAt),
    iat: String(issuedAt),
    exp: String(issuedAt + 3600),
    jti: randomUUID(),
    origin_jti: randomUUID(),
    event_id: randomUUID(),
  });
  return event;
}

export function sqsEvent(bodies: readonly unknown[], options: { receiveCount?: number } = {}): SQSEvent {
  const template = copy(sqsFixture).Records[0] as unknown as SQSRecord;
  return {
    Records: bodies.map((body) => ({
      ...copy(template),
      messageId: randomUUID(),
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ...template.attributes, ApproximateReceiveCount: String(options.receiveCount ?? 1) },
    })),
  };
}

/** An EventBridge event, as a rule's SQS target receives it, carrying a domain-event envelope. */
export function busEvent(envelope: { type: string }, source = 'serverless-commerce.test'): unknown {
  return {
    ...copy(eventBridgeFixture),
    id: randomUUID(),
    'detail-type': envelope.type,
    source,
    detail: envelope,
  };
}

/** What a schedule rule sends its Lambda target: `time` is when the run was scheduled for. */
export function scheduledEvent(options: { time?: string } = {}): ScheduledEvent {
  const event = copy(scheduledEventFixture) as ScheduledEvent;
  return { ...event, id: randomUUID(), time: options.time ?? new Date().toISOString() };
}

export function lambdaContext(functionName = 'test-function'): Context {
  return {
    ...copy(lambdaContextFixture),
    functionName,
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  } as Context;
}
