import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LambdaInvoker, LogSink } from '../contracts.ts';
import { serveOnLoopback } from '../kit/http-server.ts';
import { Listeners } from '../kit/listeners.ts';
import { describeError, type ServiceLog, serviceLog } from '../kit/service-log.ts';
import {
  headersTooLarge,
  MAX_REQUEST_LINE_AND_HEADER_BYTES,
  refuseUnreadableRequest,
  requestLineAndHeaderBytes,
} from './edge-refusals.ts';
import { answerRoute, compileAuthorizers, type Integration } from './integration.ts';
import type { JwtKeySource } from './jwt-authorizer.ts';
import { type Answer, message, writeAnswer } from './lambda-response.ts';
import { compileRoutes, type HttpRoute, type RouteMatch, type RouteSelector } from './routes.ts';

/**
 * The local API Gateway HTTP API: a node:http server that turns each request into the Lambda event of
 * payload format 2.0, invokes the route's function and maps its result back, as API Gateway does.
 */

export type { JwtAuthorizer, JwtKeySource } from './jwt-authorizer.ts';
export type { HttpRoute } from './routes.ts';

export interface HttpApiOptions {
  routes: HttpRoute[];
  invoker: LambdaInvoker;
  log: LogSink;
  host?: string;
  port?: number;
  apiId?: string;
  /** `$default` (the default) serves at `/`; a named stage serves under `/<stage>/`, as on AWS. */
  stage?: string;
  accountId?: string;
  /** API Gateway answers 503 when the integration takes longer (30 s on AWS). */
  integrationTimeoutMs?: number;
  /**
   * Asked when no route but `$default` matches (before it, or before the 404); returns true when it
   * has answered the request.
   */
  fallback?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** The keys of the issuers the routes' JWT authorizers trust (the local user pools'). */
  jwtKeys?: JwtKeySource;
}

export interface HttpApiRequest {
  requestId: string;
  time: string;
  method: string;
  path: string;
  routeKey?: string;
  functionName?: string;
  statusCode: number;
  durationMs: number;
}

export interface HttpApi {
  /** `http://127.0.0.1:<port>` (with `/<stage>` for a named stage). */
  readonly url: string;
  /** Called after every answered request (for the live page); returns the unsubscribe function. */
  onRequest(listener: (request: HttpApiRequest) => void): () => void;
  stop(): Promise<void>;
}

// An API Gateway quota: a 30 s integration timeout.
const INTEGRATION_TIMEOUT_MS = 30_000;
const DEFAULT_STAGE = '$default';

export async function createHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const log = serviceLog(options.log, 'apigateway');
  const stage = options.stage ?? DEFAULT_STAGE;
  const stagePrefix = stage === DEFAULT_STAGE ? '' : `/${stage}`;
  const integration: Integration = {
    invoker: options.invoker,
    authorizers: compileAuthorizers(options.routes, options.jwtKeys),
    timeoutMs: options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS,
    pendingTimers: new Set(),
    stage,
    apiId: options.apiId ?? 'local',
    accountId: options.accountId ?? '000000000000',
    log,
  };
  const listeners = new Listeners<HttpApiRequest>((error, { requestId }) =>
    log.error(`An onRequest listener failed: ${describeError(error)}`, { requestId }),
  );

  const api: ApiContext = {
    selectRoute: compileRoutes(options.routes),
    stagePrefix,
    integration,
    listeners,
    log,
    ...(options.fallback ? { fallback: options.fallback } : {}),
  };
  const httpServer = createServer((request, response) => {
    handleRequest(api, request, response).catch((error: unknown) => {
      log.error(`The local HTTP API failed on ${request.method} ${request.url}: ${describeError(error)}`);
      if (!response.headersSent) writeAnswer(response, message(500, 'Internal Server Error'));
      else response.destroy();
    });
  });
  httpServer.on('clientError', (error: NodeJS.ErrnoException, socket) =>
    refuseUnreadableRequest(error, socket, log),
  );
  const server = await serveOnLoopback(httpServer, { port: options.port, host: options.host });

  return {
    url: `${server.endpoint}${stagePrefix}`,
    onRequest: (listener) => listeners.add(listener),
    async stop() {
      for (const timer of integration.pendingTimers) clearTimeout(timer);
      integration.pendingTimers.clear();
      await server.close();
    },
  };
}

/** What every request of one API is answered with. */
interface ApiContext {
  selectRoute: RouteSelector;
  /** `/<stage>` for a named stage, empty for `$default`. */
  stagePrefix: string;
  integration: Integration;
  listeners: Listeners<HttpApiRequest>;
  log: ServiceLog;
  fallback?: HttpApiOptions['fallback'];
}

/** Answers one request and reports it: the log's line, the listeners' record. */
async function handleRequest(
  api: ApiContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { integration, log, listeners } = api;
  const started = new Date();
  const requestId = randomBytes(11).toString('base64');
  const method = request.method ?? 'GET';
  const [rawPath, rawQueryString] = splitTarget(request.url ?? '/');
  const routePath = routePathOf(rawPath, api.stagePrefix);
  const match = routePath === undefined ? undefined : api.selectRoute(method, routePath);

  const finish = (answer: Answer, matched?: RouteMatch) => {
    writeAnswer(response, { ...answer, headers: { ...answer.headers, 'apigw-requestid': requestId } });
    const record: HttpApiRequest = {
      requestId,
      time: started.toISOString(),
      method,
      path: rawPath,
      ...(matched ? { routeKey: matched.route.routeKey, functionName: matched.route.functionName } : {}),
      statusCode: answer.statusCode,
      durationMs: Date.now() - started.getTime(),
    };
    log.info(
      `${method} ${rawPath} → ${matched ? `${matched.route.functionName} ` : ''}${answer.statusCode} (${record.durationMs} ms)`,
      { requestId, routeKey: record.routeKey, statusCode: answer.statusCode },
    );
    listeners.emit(record);
  };

  // Node's own header limit (16 KB) is above API Gateway's quota, which is checked here.
  if (requestLineAndHeaderBytes(request) > MAX_REQUEST_LINE_AND_HEADER_BYTES) {
    finish(headersTooLarge());
    return;
  }
  // The local cloud's own pages come before the API's `$default` route, which would catch them.
  if ((!match || match.route.routeKey === '$default') && api.fallback?.(request, response)) return;
  if (!match) {
    // The body is left unread: Node discards it once the response is sent.
    finish(message(404, 'Not Found'));
    return;
  }
  const routed = { request, match, rawPath, rawQueryString, requestId, started };
  const answer = await answerRoute(integration, routed);
  if (answer === 'client-left') {
    // The client's doing, not the cloud's: nothing to answer, and the function is not invoked.
    log.info(`${method} ${rawPath}: the client left before sending the whole body; not invoked`, {
      requestId,
      routeKey: match.route.routeKey,
    });
    return;
  }
  finish(answer, match);
}

/** The path and the query string of a request target (`/tickets/7?expand=notes`). */
function splitTarget(target: string): [string, string] {
  const queryAt = target.indexOf('?');
  return queryAt === -1 ? [target, ''] : [target.slice(0, queryAt), target.slice(queryAt + 1)];
}

/** The path routes are matched against: without the stage prefix; undefined when outside the stage. */
function routePathOf(rawPath: string, stagePrefix: string): string | undefined {
  if (stagePrefix === '') return rawPath;
  if (rawPath === stagePrefix) return '/';
  return rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : undefined;
}
