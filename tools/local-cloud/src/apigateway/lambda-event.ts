import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { JwtAuthorizerContext } from './jwt-authorizer.ts';
import type { RouteMatch } from './routes.ts';

/**
 * The Lambda event of payload format 2.0 that API Gateway builds from a request: headers, cookies
 * and query string as it passes them, the request context, and the body as text or base64.
 */

// The media types HTTP APIs pass to the function as text; every other body (even with no content
// type, even form posts) arrives base64-encoded. Observed on AWS; the docs say only "binary".
const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface EventRequest {
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
}

export function buildEvent(input: EventRequest): APIGatewayProxyEventV2 {
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
export function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  // A Map, then fromEntries: a key such as `constructor` or `__proto__` is a parameter like any other,
  // never a property inherited from (or the prototype of) a plain object.
  const parameters = new Map<string, string>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeQueryComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : decodeQueryComponent(pair.slice(equals + 1));
    const earlier = parameters.get(key);
    parameters.set(key, earlier === undefined ? value : `${earlier},${value}`);
  }
  return parameters.size > 0 ? Object.fromEntries(parameters) : undefined;
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
