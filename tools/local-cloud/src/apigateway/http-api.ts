import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { InvokeResult, LambdaInvoker, LogEntry, LogSink } from '../contracts.ts';
import { listenOnLoopback } from '../kit/http-server.ts';
import { readRequestBody } from '../kit/request-body.ts';
import {
  type Authorization,
  compileJwtAuthorizer,
  type JwtAuthorizerContext,
  type JwtKeySource,
} from './jwt-authorizer.ts';
import { compileRoutes, type HttpRoute, type RouteMatch } from './routes.ts';

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

// API Gateway quotas: a 10 MB request payload, a 30 s integration timeout.
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;
const DEFAULT_STAGE = '$default';
const SOURCE = 'apigateway';
// The media types HTTP APIs pass to the function as text; every other body (even with no content
// type, even form posts) arrives base64-encoded. Observed on AWS; the docs say only "binary".
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

type Answer = { statusCode: number; headers: Record<string, string | string[]>; body: Buffer };

export async function createHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const { invoker, log } = options;
  const selectRoute = compileRoutes(options.routes);
  // Compiled at start: a route whose authorizer the local cloud cannot honour fails the start.
  const authorizers = new Map(
    options.routes.flatMap((route) =>
      route.authorizer
        ? [[route.routeKey, compileJwtAuthorizer(route.routeKey, route.authorizer, options.jwtKeys)] as const]
        : [],
    ),
  );
  const stage = options.stage ?? DEFAULT_STAGE;
  const stagePrefix = stage === DEFAULT_STAGE ? '' : `/${stage}`;
  const apiId = options.apiId ?? 'local';
  const accountId = options.accountId ?? '000000000000';
  const timeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const listeners = new Set<(request: HttpApiRequest) => void>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const emit = (level: LogEntry['level'], message: string, fields: Record<string, unknown>) =>
    log({ source: SOURCE, level, message, time: new Date().toISOString(), fields });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const started = new Date();
    const requestId = randomBytes(11).toString('base64');
    const method = request.method ?? 'GET';
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const routePath = routePathOf(rawPath, stagePrefix);
    const match = routePath === undefined ? undefined : selectRoute(method, routePath);

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
      emit(
        'INFO',
        `${method} ${rawPath} → ${matched ? `${matched.route.functionName} ` : ''}${answer.statusCode} (${record.durationMs} ms)`,
        { requestId, routeKey: record.routeKey, statusCode: answer.statusCode },
      );
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (error) {
          emit('ERROR', `An onRequest listener failed: ${describe(error)}`, { requestId });
        }
      }
    };

    // The local cloud's own pages come before the API's `$default` route, which would catch them.
    if ((!match || match.route.routeKey === '$default') && options.fallback?.(request, response)) return;
    if (!match) {
      // Node discards an unread request body once the response is sent.
      finish(message(404, 'Not Found'));
      return;
    }
    const authorize = authorizers.get(match.route.routeKey);
    const authorization: Authorization | undefined = authorize
      ? await authorize({ headers: request.headers, query: parseQuery(rawQueryString) })
      : undefined;
    if (authorization && !authorization.ok) {
      // The reason is the authorizer's own words: never the token.
      emit('INFO', `${match.route.routeKey}: the authorizer refused the request: ${authorization.reason}`, {
        requestId,
      });
      const refused = message(
        authorization.statusCode,
        authorization.statusCode === 401 ? 'Unauthorized' : 'Forbidden',
      );
      finish(
        { ...refused, headers: { ...refused.headers, 'www-authenticate': authorization.challenge } },
        match,
      );
      return;
    }
    const body = await readRequestBody(request, MAX_BODY_BYTES);
    if (body === 'too-large') {
      finish(message(413, 'Request Entity Too Large'), match);
      return;
    }
    const event = buildEvent({
      request,
      match,
      body,
      rawPath,
      rawQueryString,
      requestId,
      started,
      stage,
      apiId,
      accountId,
      ...(authorization?.ok ? { authorizer: authorization.context } : {}),
    });
    const outcome = await invokeWithTimeout(
      invoker,
      match.route.functionName,
      event,
      timeoutMs,
      pendingTimers,
    );
    if (outcome === 'timeout') {
      emit('ERROR', `${match.route.functionName} did not answer within ${timeoutMs} ms`, { requestId });
      finish(message(503, 'Service Unavailable'), match);
      return;
    }
    if (!outcome.ok) {
      emit(
        'ERROR',
        `${match.route.functionName} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
        {
          requestId,
          error: outcome.error,
        },
      );
      finish(message(500, 'Internal Server Error'), match);
      return;
    }
    const answer = toAnswer(outcome.payload);
    if ('malformed' in answer) {
      emit('ERROR', `${match.route.functionName} returned a malformed response: ${answer.malformed}`, {
        requestId,
      });
      finish(message(500, 'Internal Server Error'), match);
      return;
    }
    finish(answer, match);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      emit('ERROR', `The local HTTP API failed on ${request.method} ${request.url}: ${describe(error)}`, {});
      if (!response.headersSent) writeAnswer(response, message(500, 'Internal Server Error'));
      else response.destroy();
    });
  });
  const { address, port } = await listenOnLoopback(server, options.port, options.host);

  return {
    url: `http://${address}:${port}${stagePrefix}`,
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The path routes are matched against: without the stage prefix; undefined when outside the stage. */
function routePathOf(rawPath: string, stagePrefix: string): string | undefined {
  if (stagePrefix === '') return rawPath;
  if (rawPath === stagePrefix) return '/';
  return rawPath.startsWith(`${stagePrefix}/`) ? rawPath.slice(stagePrefix.length) : undefined;
}

function buildEvent(input: {
  request: IncomingMessage;
  match: RouteMatch;
  body: Buffer;
  rawPath: string;
  rawQueryString: string;
  requestId: string;
  started: Date;
  stage: string;
  apiId: string;
  accountId: string;
  authorizer?: JwtAuthorizerContext;
}): APIGatewayProxyEventV2 {
  const { request, match, body, rawPath, rawQueryString, requestId, started } = input;
  const { headers, cookies } = eventHeaders(request);
  const queryStringParameters = parseQuery(rawQueryString);
  const domainName = headers.host ?? `${input.apiId}.execute-api.localhost`;
  const sourceIp = clientAddress(request);
  const isText = isTextMediaType(headers['content-type']);
  const routeKey = match.route.routeKey;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      domainName,
      domainPrefix: domainName.split(':')[0]?.split('.')[0] ?? domainName,
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      ...(input.authorizer ? { authorizer: input.authorizer } : {}),
      requestId,
      routeKey,
      stage: input.stage,
      time: requestTime(started),
      timeEpoch: started.getTime(),
    },
    ...(body.length > 0 ? { body: body.toString(isText ? 'utf8' : 'base64') } : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

/**
 * Headers as API Gateway passes them: names lowercased, repeated headers joined with commas, the
 * cookie header moved to `cookies`, and the x-forwarded-* and trace headers API Gateway adds.
 */
function eventHeaders(request: IncomingMessage): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = (raw[index] ?? '').toLowerCase();
    const value = raw[index + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const sourceIp = clientAddress(request);
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return { headers, cookies };
}

/** Decoded parameters, repeated keys joined with commas; undefined when there is no query string. */
function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeQueryComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryComponent(pair.slice(equals + 1));
    parameters[key] = parameters[key] === undefined ? value : `${parameters[key]},${value}`;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

function decodeQueryComponent(text: string): string {
  const spaced = text.replaceAll('+', ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function isTextMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(/[;,]/)[0]?.trim().toLowerCase() ?? '';
  return mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType);
}

function clientAddress(request: IncomingMessage): string {
  return (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}

/** `10/Mar/2025:14:15:02 +0000`, the format of requestContext.time. */
function requestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

async function invokeWithTimeout(
  invoker: LambdaInvoker,
  functionName: string,
  event: APIGatewayProxyEventV2,
  timeoutMs: number,
  pendingTimers: Set<NodeJS.Timeout>,
): Promise<InvokeResult | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    pendingTimers.add(timer);
  });
  // A rejected invoke is the invoker's own failure; the client still gets API Gateway's 500.
  const invocation = invoker.invoke(functionName, event).catch(
    (error: unknown): InvokeResult => ({
      ok: false,
      error: { errorType: error instanceof Error ? error.name : 'Error', errorMessage: describe(error) },
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

/**
 * Payload format 2.0 response mapping: an object with a statusCode is a structured response; anything
 * else is sent as a 200 JSON body, the way API Gateway treats a function that returns plain data.
 */
function toAnswer(payload: unknown): Answer | { malformed: string } {
  if (!isRecord(payload) || payload.statusCode === undefined) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(payload ?? null)),
    };
  }
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = payload;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return { malformed: `statusCode ${JSON.stringify(statusCode)} is not an HTTP status` };
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return { malformed: 'body must be a string (JSON.stringify it)' };
  }
  const outgoing: Record<string, string | string[]> = {};
  if (headers !== undefined) {
    if (!isRecord(headers)) return { malformed: 'headers must be an object' };
    for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = String(value);
  }
  if (multiValueHeaders !== undefined) {
    if (!isRecord(multiValueHeaders)) return { malformed: 'multiValueHeaders must be an object' };
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) return { malformed: `multiValueHeaders.${name} must be an array` };
      const key = name.toLowerCase();
      outgoing[key] = [...[outgoing[key] ?? []].flat(), ...values.map(String)];
    }
  }
  if (cookies !== undefined) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return { malformed: 'cookies must be an array of strings' };
    }
    outgoing['set-cookie'] = [...[outgoing['set-cookie'] ?? []].flat(), ...cookies];
  }
  for (const [name, value] of Object.entries(outgoing)) {
    try {
      validateHeaderName(name);
      for (const item of [value].flat()) validateHeaderValue(name, item);
    } catch (error) {
      return { malformed: `header ${JSON.stringify(name)}: ${describe(error)}` };
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: outgoing,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

function message(statusCode: number, text: string): Answer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

function writeAnswer(response: ServerResponse, answer: Answer) {
  for (const [name, value] of Object.entries(answer.headers)) {
    // Framing is the server's business: the function cannot set the length or the transfer encoding.
    if (['content-length', 'transfer-encoding', 'connection'].includes(name)) continue;
    response.setHeader(name, value);
  }
  response.setHeader('content-length', answer.body.length);
  response.writeHead(answer.statusCode);
  response.end(answer.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
