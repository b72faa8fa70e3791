import { createServer, type IncomingMessage } from 'node:http';
import { type LoopbackHttpServer, serveOnLoopback } from './http-server.ts';
import { AwsApiError, jsonObjectOf, sendAwsJson } from './json-protocol-server.ts';
import { readRequestBody } from './request-body.ts';
import type { ServiceLog } from './service-log.ts';

/**
 * AWS's REST-JSON protocol (restJson1) over node:http: an operation is a method and a path (its
 * parameters in the path and the query), its input a JSON body; errors are a 4xx with the
 * `x-amzn-errortype` header naming the error, which the AWS SDK v3 turns into its exception of that
 * name, and a JSON body with the message. Lambda's API is one.
 */
export interface RestJsonRequest {
  /** The path's parameters: the named groups of the route's pattern, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface RestJsonRoute {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Matched against the whole path (without the query); named groups are its parameters. */
  path: RegExp;
  /** The status of a success: 200, or 202 for an accepted change. */
  status: number;
  run(request: RestJsonRequest): unknown;
}

export interface RestJsonServerOptions {
  routes: readonly RestJsonRoute[];
  /** The service's refusal of a method and path no route takes. */
  refuse(method: string, path: string): AwsApiError;
  /** The error's body, which names its message as the service's error shapes do. */
  errorBody(error: AwsApiError): Record<string, unknown>;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  port?: number;
  /** Where a failure of the service's own (a 500) is said, with its stack. */
  log: ServiceLog;
}

const CONTENT_TYPE = 'application/json';
/** The requests of these APIs are small: a mapping's or a function's configuration. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startRestJsonServer(options: RestJsonServerOptions): Promise<LoopbackHttpServer> {
  const server = createServer((request, response) => {
    serve(request, options)
      .then(({ status, body }) => sendAwsJson(response, CONTENT_TYPE, status, body))
      .catch((error: unknown) => {
        const refusal =
          error instanceof AwsApiError
            ? error
            : new AwsApiError('ServiceException', 'The local service failed; see its log', 500);
        if (!(error instanceof AwsApiError)) {
          options.log.error(`Request failed: ${(error as Error).stack ?? String(error)}`);
        }
        sendAwsJson(response, CONTENT_TYPE, refusal.status, options.errorBody(refusal), {
          'x-amzn-errortype': refusal.code,
        });
      });
  });
  return serveOnLoopback(server, options);
}

async function serve(
  request: IncomingMessage,
  options: RestJsonServerOptions,
): Promise<{ status: number; body: unknown }> {
  const url = new URL(request.url ?? '/', 'http://local');
  const method = request.method ?? 'GET';
  const body = await readRequestBody(request, MAX_BODY_BYTES);
  if (body === 'too-large') {
    throw new AwsApiError('RequestTooLargeException', 'The request body is larger than 1 MiB', 413);
  }
  for (const route of options.routes) {
    const match = route.method === method ? route.path.exec(url.pathname) : null;
    if (!match) continue;
    const params = Object.fromEntries(
      Object.entries(match.groups ?? {}).map(([name, value]) => [name, decodeURIComponent(value)]),
    );
    return {
      status: route.status,
      body: await route.run({
        params,
        query: url.searchParams,
        body: jsonObjectOf(body, 'InvalidRequestContentException'),
      }),
    };
  }
  throw options.refuse(method, url.pathname);
}
