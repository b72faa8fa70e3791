import type { IncomingMessage, ServerResponse } from 'node:http';

/** How the flow page's server answers: whole bodies, never cached, and JSON read with a size cap. */
export function send(
  response: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, 'application/json', JSON.stringify(body ?? null));
}

const MAX_REQUEST_BYTES = 4_096;

/** The request's JSON body, undefined when empty; a SyntaxError when malformed. */
export async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_REQUEST_BYTES) throw new Error('The request body is too large');
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
