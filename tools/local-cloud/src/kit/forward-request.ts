import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * Sends a request on to `upstream` unchanged (method, path, headers) and pipes the answer back: what
 * the local cloud's proxies in front of an emulator do with the calls they let through. `body` is
 * the request's body when the proxy read it already; otherwise the request is streamed.
 */
export function forwardRequest(
  request: IncomingMessage,
  response: ServerResponse,
  upstream: URL,
  body?: Buffer,
): void {
  const forwarded = httpRequest(
    {
      hostname: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  forwarded.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`Local proxy to ${upstream.host}: ${error.message}`);
  });
  if (body) forwarded.end(body);
  else request.pipe(forwarded);
}
