import { createServer, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback, serveOnLoopback } from '../../src/kit/http-server.ts';

const servers: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** A GET on a kept-alive connection, as the SDK makes them: the socket stays open once answered. */
function getKeptAlive(endpoint: string): Promise<{ status: number; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${endpoint}/`, { agent: false, headers: { connection: 'keep-alive' } });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      response.resume();
      const closed = new Promise<void>((settle) => outgoing.socket?.once('close', () => settle()));
      resolve({ status: response.statusCode ?? 0, closed });
    });
    outgoing.end();
  });
}

describe('the HTTP server of a local service', () => {
  it('listens on 127.0.0.1 on a free port and names its endpoint', async () => {
    const listening = await serveOnLoopback(createServer((_request, response) => response.end('ok')));
    servers.push(listening);

    expect(listening.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(listening.endpoint)).text()).toBe('ok');
  });

  it('closes with the connections a client keeps alive, without waiting for them', async () => {
    const listening = await serveOnLoopback(createServer((_request, response) => response.end('ok')));
    const { status, closed } = await getKeptAlive(listening.endpoint);

    await listening.close();

    expect(status).toBe(200);
    await closed;
    await expect(fetch(listening.endpoint)).rejects.toThrow();
  });

  it('answers a second close with the first', async () => {
    const listening = await serveOnLoopback(createServer((_request, response) => response.end()));

    const first = listening.close();
    const second = listening.close();

    expect(second).toBe(first);
    await expect(second).resolves.toBeUndefined();
  });

  it('reports a port already taken instead of listening elsewhere', async () => {
    const taken = createNetServer();
    const { port } = await listenOnLoopback(taken);
    servers.push({ close: () => new Promise((resolve) => taken.close(resolve)) });

    await expect(serveOnLoopback(createServer(), { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
