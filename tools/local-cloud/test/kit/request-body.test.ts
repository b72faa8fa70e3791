import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoopbackHttpServer, serveOnLoopback } from '../../src/kit/http-server.ts';
import { readRequestBody } from '../../src/kit/request-body.ts';

let server: LoopbackHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that reads each body with a 1 KiB limit and says what it read and how the request ended. */
async function start() {
  const reads: Array<{ body: string; complete: boolean; socketDestroyed: boolean }> = [];
  server = await serveOnLoopback(
    createServer((request, response) => {
      void readRequestBody(request, 1024).then((body) => {
        reads.push({
          body: body === 'too-large' ? body : body.toString('utf8'),
          complete: request.complete,
          socketDestroyed: request.socket.destroyed,
        });
        response.writeHead(body === 'too-large' ? 413 : 200).end();
      });
    }),
  );
  return { endpoint: server.endpoint, reads };
}

describe('reading the body of a request', () => {
  it('gives the whole body within the limit', async () => {
    const { endpoint, reads } = await start();

    const response = await fetch(endpoint, { method: 'POST', body: 'x'.repeat(1024) });

    expect(response.status).toBe(200);
    expect(reads).toEqual([{ body: 'x'.repeat(1024), complete: true, socketDestroyed: false }]);
  });

  it('says too-large past the limit, having read the upload to its end so the refusal can be sent', async () => {
    const { endpoint, reads } = await start();

    const response = await fetch(endpoint, { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024) });

    expect(response.status).toBe(413);
    expect(reads).toEqual([{ body: 'too-large', complete: true, socketDestroyed: false }]);
  });
});
