import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import {
  AwsApiError,
  type JsonProtocolServer,
  type JsonProtocolServerOptions,
  startJsonProtocolServer,
} from '../../src/kit/json-protocol-server.ts';
import { serviceLog } from '../../src/kit/service-log.ts';

const servers: JsonProtocolServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(overrides: Partial<JsonProtocolServerOptions> = {}) {
  const logs: LogEntry[] = [];
  const server = await startJsonProtocolServer({
    targetPrefix: 'LocalTest',
    serviceName: 'test service',
    protocolVersion: '1.1',
    actions: {
      Echo: (input) => ({ received: input }),
      Describe: async () => ({ createdAt: new Date('2025-03-10T14:15:03.500Z') }),
      Refuse: () => {
        throw new AwsApiError('ResourceNotFoundException', 'Nothing by that name.');
      },
      Break: () => {
        throw new Error('a bug');
      },
    },
    log: serviceLog((entry) => logs.push(entry), 'test'),
    ...overrides,
  });
  servers.push(server);
  return { server, logs };
}

const call = (endpoint: string, target: string | undefined, body = '{}', method = 'POST') =>
  fetch(endpoint, {
    method,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target === undefined ? {} : { 'x-amz-target': target }),
    },
    ...(method === 'GET' ? {} : { body }),
  });

describe('the AWS JSON protocol server', () => {
  it('runs the action X-Amz-Target names with the JSON body, and answers its result', async () => {
    const { server } = await start();

    const response = await call(server.endpoint, 'LocalTest.Echo', '{"Name":"orders"}');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ received: { Name: 'orders' } });
  });

  it('answers the content type of its protocol version', async () => {
    const { server } = await start({ protocolVersion: '1.0' });

    const response = await call(server.endpoint, 'LocalTest.Echo');

    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
  });

  it('sends dates as epoch seconds, as the AWS JSON protocol does', async () => {
    const { server } = await start();

    const response = await call(server.endpoint, 'LocalTest.Describe');

    expect(await response.json()).toEqual({ createdAt: 1741616103.5 });
  });

  it('answers an API error with its code in __type and in the x-amzn-errortype header', async () => {
    const { server } = await start();

    const response = await call(server.endpoint, 'LocalTest.Refuse');

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'Nothing by that name.',
    });
  });

  it('names the message member as the service does', async () => {
    const { server } = await start({ errorMessageMember: 'Message' });

    const response = await call(server.endpoint, 'LocalTest.Refuse');

    expect(await response.json()).toEqual({
      __type: 'ResourceNotFoundException',
      Message: 'Nothing by that name.',
    });
  });

  it.each([
    ['an action it does not serve', 'LocalTest.Delete', '{}', 'UnknownOperationException'],
    ["another service's target", 'OtherService.Echo', '{}', 'UnknownOperationException'],
    ['no X-Amz-Target', undefined, '{}', 'UnknownOperationException'],
    ['a body that is not JSON', 'LocalTest.Echo', '{"Name":', 'SerializationException'],
    ['a body that is not an object', 'LocalTest.Echo', '["orders"]', 'SerializationException'],
  ])('refuses %s with a typed 400 error', async (_name, target, body, type) => {
    const { server } = await start();

    const response = await call(server.endpoint, target, body);

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe(type);
    expect(await response.json()).toMatchObject({ __type: type, message: expect.any(String) });
  });

  it("answers an action it does not serve with the service's own refusal when it has one", async () => {
    const refused: string[] = [];
    const { server } = await start({
      refuseAction: (action) => {
        refused.push(action);
        return new AwsApiError('UnknownOperationException', `${action} is not emulated`);
      },
    });

    const response = await call(server.endpoint, 'LocalTest.Delete');

    expect(refused).toEqual(['Delete']);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Delete is not emulated',
    });
  });

  it('refuses a body over 1 MiB', async () => {
    const { server } = await start();

    const response = await call(
      server.endpoint,
      'LocalTest.Echo',
      JSON.stringify({ Data: 'x'.repeat(1_100_000) }),
    );

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ __type: 'ValidationException' });
  });

  it('answers a failure of its own with a 500 that tells nothing, and logs the error with its stack', async () => {
    const { server, logs } = await start();

    const response = await call(server.endpoint, 'LocalTest.Break');

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      __type: 'InternalFailure',
      message: 'The local service failed; see its log',
    });
    expect(logs).toEqual([
      expect.objectContaining({
        source: 'test',
        level: 'ERROR',
        message: expect.stringMatching(/^Request failed: Error: a bug\n\s+at /),
      }),
    ]);
  });

  it('serves the JSON documents a service publishes on GET, and 404 for any other path', async () => {
    const { server } = await start({
      documents: (path, endpoint) => (path === '/keys.json' ? { keys: [], from: endpoint } : undefined),
    });

    const found = await call(`${server.endpoint}/keys.json`, undefined, '', 'GET');
    const missing = await call(`${server.endpoint}/other.json`, undefined, '', 'GET');

    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ keys: [], from: server.endpoint });
    expect(missing.status).toBe(404);
  });
});
