import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import type { LoopbackHttpServer } from '../../src/kit/http-server.ts';
import { AwsApiError } from '../../src/kit/json-protocol-server.ts';
import { startRestJsonServer } from '../../src/kit/rest-json-server.ts';
import { serviceLog } from '../../src/kit/service-log.ts';

const servers: LoopbackHttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start() {
  const logs: LogEntry[] = [];
  const server = await startRestJsonServer({
    routes: [
      {
        method: 'PUT',
        path: /^\/things\/(?<id>[^/]+)$/,
        status: 202,
        run: ({ params, query, body }) => ({ id: params.id, mode: query.get('mode'), body }),
      },
      {
        method: 'GET',
        path: /^\/broken$/,
        status: 200,
        run: () => {
          throw new Error('a bug');
        },
      },
    ],
    refuse: (method, path) => new AwsApiError('UnknownOperationException', `Not ${method} ${path}`),
    errorBody: (error) => ({ Message: error.message }),
    log: serviceLog((entry) => logs.push(entry), 'test'),
  });
  servers.push(server);
  return { server, logs };
}

describe('the REST-JSON protocol server', () => {
  it("runs the route of the method and path with the path's parameters, the query and the JSON body", async () => {
    const { server } = await start();

    const response = await fetch(`${server.endpoint}/things/a%20b?mode=fast`, {
      method: 'PUT',
      body: '{"Enabled":true}',
    });

    expect(response.status).toBe(202);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ id: 'a b', mode: 'fast', body: { Enabled: true } });
  });

  it('answers a path no route takes with the refusal, named in x-amzn-errortype', async () => {
    const { server } = await start();

    const response = await fetch(`${server.endpoint}/things/a`);

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({ Message: 'Not GET /things/a' });
  });

  it('refuses a body that is not a JSON object, and logs a failure of its own as a 500', async () => {
    const { server, logs } = await start();

    const malformed = await fetch(`${server.endpoint}/things/a`, { method: 'PUT', body: '[1]' });
    const broken = await fetch(`${server.endpoint}/broken`);

    expect(malformed.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(broken.status).toBe(500);
    expect(logs.map((entry) => entry.message).join('\n')).toContain('a bug');
  });
});
