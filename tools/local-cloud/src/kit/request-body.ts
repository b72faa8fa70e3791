import type { IncomingMessage } from 'node:http';

/**
 * The body of a request, or `too-large` past `maxBytes`. The whole upload is read even past the
 * limit, so that the client gets the refusal: leaving the read early destroys the request, and
 * with it the socket the answer goes out on, and the client would see a reset instead.
 */
export async function readRequestBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  return size > maxBytes ? 'too-large' : Buffer.concat(chunks);
}
