import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { InvokeResult, LambdaInvoker } from '../contracts.ts';
import { readRequestBody } from '../kit/request-body.ts';
import { describeError, type ServiceLog } from '../kit/service-log.ts';
import {
  type Authorization,
  compileJwtAuthorizer,
  type IdentityRequest,
  type JwtKeySource,
} from './jwt-authorizer.ts';
import { buildEvent, type EventRequest, parseQuery } from './lambda-event.ts';
import { type Answer, message, toAnswer } from './lambda-response.ts';
import type { HttpRoute, RouteMatch } from './routes.ts';

/**
 * A route's Lambda proxy integration, as API Gateway runs it: the route's authorizer first, then
 * the body (10 MB at most), the payload format 2.0 event, the function with the integration
 * timeout, and its result mapped back. Every failure is API Gateway's own answer, said in the log.
 */
export interface Integration {
  invoker: LambdaInvoker;
  /** Each route's authorizer, by route key. */
  authorizers: ReadonlyMap<string, (request: IdentityRequest) => Promise<Authorization>>;
  timeoutMs: number;
  /** The integration timeouts running, cleared when the API stops. */
  pendingTimers: Set<NodeJS.Timeout>;
  stage: string;
  apiId: string;
  accountId: string;
  log: ServiceLog;
}

// An API Gateway quota: a 10 MB request payload.
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The body, or `client-left` when the client closed the connection before sending all of it. */
async function readBodyUnlessClientLeft(request: IncomingMessage) {
  try {
    return await readRequestBody(request, MAX_BODY_BYTES);
  } catch (error) {
    // Node fails the read of a request whose client closed mid-body with ECONNRESET ("aborted").
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') return 'client-left' as const;
    throw error;
  }
}

export type RouteRequest = Omit<EventRequest, 'body' | 'authorizer' | 'stage' | 'apiId' | 'accountId'>;

/** What a route answers; `client-left` when the client went away mid-body and nothing can be answered. */
export async function answerRoute(
  integration: Integration,
  routed: RouteRequest,
): Promise<Answer | 'client-left'> {
  const { request, match, requestId } = routed;
  const { log } = integration;
  const authorization = await authorize(integration, request, match, routed.rawQueryString);
  if (authorization && !authorization.ok) {
    // The reason is the authorizer's own words: never the token.
    log.info(`${match.route.routeKey}: the authorizer refused the request: ${authorization.reason}`, {
      requestId,
    });
    const refused = message(
      authorization.statusCode,
      authorization.statusCode === 401 ? 'Unauthorized' : 'Forbidden',
    );
    return { ...refused, headers: { ...refused.headers, 'www-authenticate': authorization.challenge } };
  }
  const body = await readBodyUnlessClientLeft(request);
  if (body === 'client-left') return body;
  if (body === 'too-large') return message(413, 'Request Entity Too Large');
  const event = buildEvent({
    ...routed,
    body,
    stage: integration.stage,
    apiId: integration.apiId,
    accountId: integration.accountId,
    ...(authorization?.ok ? { authorizer: authorization.context } : {}),
  });
  const { functionName } = match.route;
  const outcome = await invokeWithTimeout(integration, functionName, event);
  if (outcome === 'timeout') {
    log.error(`${functionName} did not answer within ${integration.timeoutMs} ms`, { requestId });
    return message(503, 'Service Unavailable');
  }
  if (!outcome.ok) {
    const { errorType, errorMessage } = outcome.error;
    log.error(`${functionName} failed: ${errorType}: ${errorMessage}`, { requestId, error: outcome.error });
    return message(500, 'Internal Server Error');
  }
  const answer = toAnswer(outcome.payload);
  if ('malformed' in answer) {
    log.error(`${functionName} returned a malformed response: ${answer.malformed}`, { requestId });
    return message(500, 'Internal Server Error');
  }
  return answer;
}

/** Each route's authorizer, by route key: one the local cloud cannot honour fails the start. */
export function compileAuthorizers(
  routes: readonly HttpRoute[],
  jwtKeys: JwtKeySource | undefined,
): Integration['authorizers'] {
  const authorizers = new Map<string, (request: IdentityRequest) => Promise<Authorization>>();
  for (const route of routes) {
    if (route.authorizer) {
      authorizers.set(route.routeKey, compileJwtAuthorizer(route.routeKey, route.authorizer, jwtKeys));
    }
  }
  return authorizers;
}

/** The route's authorization; undefined when the route has no authorizer. */
async function authorize(
  integration: Integration,
  request: IncomingMessage,
  match: RouteMatch,
  rawQueryString: string,
): Promise<Authorization | undefined> {
  const authorizer = integration.authorizers.get(match.route.routeKey);
  return authorizer?.({ headers: request.headers, query: parseQuery(rawQueryString) });
}

async function invokeWithTimeout(
  integration: Integration,
  functionName: string,
  event: APIGatewayProxyEventV2,
): Promise<InvokeResult | 'timeout'> {
  const { invoker, timeoutMs, pendingTimers } = integration;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    pendingTimers.add(timer);
  });
  // A rejected invoke is the invoker's own failure; the client still gets API Gateway's 500.
  const invocation = invoker.invoke(functionName, event).catch(
    (error: unknown): InvokeResult => ({
      ok: false,
      error: { errorType: error instanceof Error ? error.name : 'Error', errorMessage: describeError(error) },
    }),
  );
  try {
    return await Promise.race([invocation, timeout]);
  } finally {
    if (timer) {
      clearTimeout(timer);
      pendingTimers.delete(timer);
    }
  }
}
