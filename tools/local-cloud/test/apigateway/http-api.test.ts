import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpApi,
  type HttpApi,
  type HttpApiOptions,
  type HttpApiRequest,
} from '../../src/apigateway/http-api.ts';
import type { InvokeResult, LambdaInvoker, LogEntry } from '../../src/contracts.ts';

type Handler = (event: APIGatewayProxyEventV2) => InvokeResult | Promise<InvokeResult>;

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload });
const echo: Handler = () => ok({ statusCode: 200, body: 'ok' });

const awsFixture = JSON.parse(
  readFileSync(
    new URL('../../../../libs/testing/src/fixtures/api-gateway-http-v2.json', import.meta.url),
    'utf8',
  ),
) as APIGatewayProxyEventV2;

const shopRoutes = [
  { routeKey: 'POST /orders', functionName: 'PlaceOrder' },
  { routeKey: 'GET /orders/{orderId}', functionName: 'GetOrder' },
  { routeKey: 'GET /orders/special', functionName: 'SpecialOrder' },
  { routeKey: 'POST /orders/{orderId}/cancel', functionName: 'CancelOrder' },
  // Listed before the GET route on purpose: precedence must not depend on the order of the routes.
  { routeKey: 'ANY /files/{proxy+}', functionName: 'AnyFiles' },
  { routeKey: 'GET /files/{proxy+}', functionName: 'GetFiles' },
  { routeKey: 'GET /files/public/{proxy+}', functionName: 'PublicFiles' },
];

let api: HttpApi | undefined;

afterEach(async () => {
  await api?.stop();
  api = undefined;
});

/** Starts an API whose functions are in-memory handlers; every invocation is recorded. */
async function start(handlers: Record<string, Handler> = {}, overrides: Partial<HttpApiOptions> = {}) {
  const invocations: Array<{ functionName: string; event: APIGatewayProxyEventV2 }> = [];
  const logs: LogEntry[] = [];
  const invoker: LambdaInvoker = {
    async invoke(functionName, event) {
      invocations.push({ functionName, event: event as APIGatewayProxyEventV2 });
      return (handlers[functionName] ?? echo)(event as APIGatewayProxyEventV2);
    },
  };
  api = await createHttpApi({ routes: shopRoutes, invoker, log: (entry) => logs.push(entry), ...overrides });
  const url = api.url;
  const lastEvent = () => {
    const last = invocations.at(-1);
    if (!last) throw new Error('no function was invoked');
    return last.event;
  };
  return { api, url, invocations, logs, lastEvent };
}

/** A request with repeated header lines, which fetch would merge before sending. */
function rawRequest(url: string, path: string, headers: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // Given raw header lines, node adds no Host header of its own.
    const lines = ['Host', new URL(url).host, ...headers];
    const request = httpRequest(`${url}${path}`, { headers: lines }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the payload format 2.0 event', () => {
  it('has the shape and values API Gateway sends for POST /orders', async () => {
    const { url, lastEvent } = await start();
    const before = Date.now();

    const response = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'curl/8.5.0', 'X-Custom': 'A' },
      body: '{"customerId":"c-1"}',
    });

    expect(response.status).toBe(200);
    const event = lastEvent();
    const host = new URL(url).host;
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /orders',
      rawPath: '/orders',
      rawQueryString: '',
      headers: expect.objectContaining({
        'content-type': 'application/json',
        'user-agent': 'curl/8.5.0',
        'x-custom': 'A',
        host,
        'content-length': '20',
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-port': String(new URL(url).port),
        'x-forwarded-proto': 'http',
        'x-amzn-trace-id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
      }),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: host,
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/orders',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8.5.0',
        },
        requestId: expect.stringMatching(/^[A-Za-z0-9+/]{15}=$/),
        routeKey: 'POST /orders',
        stage: '$default',
        time: expect.stringMatching(
          /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
        ),
        timeEpoch: expect.any(Number),
      },
      body: '{"customerId":"c-1"}',
      isBase64Encoded: false,
    });
    expect(event.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(Object.keys(event)).toEqual(Object.keys(awsFixture));
    expect(Object.keys(event.requestContext)).toEqual(Object.keys(awsFixture.requestContext));
    expect(Object.keys(event.requestContext.http)).toEqual(Object.keys(awsFixture.requestContext.http));
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('gives every request its own requestId, also returned in the apigw-requestid header', async () => {
    const { url, invocations } = await start();

    const first = await fetch(`${url}/orders/1`);
    const second = await fetch(`${url}/orders/1`);

    const ids = invocations.map(({ event }) => event.requestContext.requestId);
    expect(new Set(ids).size).toBe(2);
    expect([first.headers.get('apigw-requestid'), second.headers.get('apigw-requestid')]).toEqual(ids);
  });

  it('passes path parameters decoded and keeps rawPath as sent', async () => {
    const { url, lastEvent } = await start();

    await fetch(`${url}/orders/a%20b`);
    expect(lastEvent().pathParameters).toEqual({ orderId: 'a b' });
    expect(lastEvent().rawPath).toBe('/orders/a%20b');

    await fetch(`${url}/orders/%C3%A9t%C3%A9-%E2%82%AC`);
    expect(lastEvent().pathParameters).toEqual({ orderId: 'été-€' });

    await fetch(`${url}/orders/x%2Fy`);
    expect(lastEvent().pathParameters).toEqual({ orderId: 'x/y' });

    await fetch(`${url}/files/docs/read%20me.txt`);
    expect(lastEvent().pathParameters).toEqual({ proxy: 'docs/read me.txt' });
  });

  it('joins repeated query parameters with commas, decodes them and keeps rawQueryString as sent', async () => {
    const { url, lastEvent } = await start();

    await fetch(`${url}/orders/1?status=PAID&status=INVOICED&q=caf%C3%A9+au+lait&flag&empty=`);

    expect(lastEvent().rawQueryString).toBe('status=PAID&status=INVOICED&q=caf%C3%A9+au+lait&flag&empty=');
    expect(lastEvent().queryStringParameters).toEqual({
      status: 'PAID,INVOICED',
      q: 'café au lait',
      flag: '',
      empty: '',
    });
  });

  it('passes query parameters named like object properties as the parameters they are', async () => {
    const { url, lastEvent } = await start();

    await fetch(`${url}/orders/1?constructor=1&__proto__=x&toString=2&toString=3`);

    const parameters = lastEvent().queryStringParameters ?? {};
    expect(Object.entries(parameters)).toEqual([
      ['constructor', '1'],
      ['__proto__', 'x'],
      ['toString', '2,3'],
    ]);
  });

  it('leaves queryStringParameters, pathParameters, cookies and body out when there are none', async () => {
    const { url, lastEvent } = await start();

    await fetch(`${url}/orders/special`);

    const event = lastEvent();
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('lowercases header names and joins repeated headers with commas', async () => {
    const { url, lastEvent } = await start();

    const status = await rawRequest(url, '/orders/1', [
      'X-Multi',
      'one',
      'x-multi',
      'two',
      'Accept',
      'text/html',
    ]);

    expect(status).toBe(200);
    expect(lastEvent().headers).toMatchObject({ 'x-multi': 'one,two', accept: 'text/html' });
  });

  it('moves the Cookie header into cookies', async () => {
    const { url, lastEvent } = await start();

    await fetch(`${url}/orders/1`, { headers: { Cookie: 'session=abc; theme=dark' } });

    expect(lastEvent().cookies).toEqual(['session=abc', 'theme=dark']);
    expect(lastEvent().headers).not.toHaveProperty('cookie');
  });

  it.each([
    ['application/json', false],
    ['application/json; charset=utf-8', false],
    ['text/plain', false],
    ['application/xml', false],
    ['application/octet-stream', true],
    ['image/png', true],
    ['application/x-www-form-urlencoded', true],
  ])('sends a %s body base64-encoded: %s', async (contentType, base64) => {
    const { url, lastEvent } = await start();
    const bytes = Buffer.from('héllo=1');

    await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': contentType }, body: bytes });

    expect(lastEvent().isBase64Encoded).toBe(base64);
    expect(lastEvent().body).toBe(bytes.toString(base64 ? 'base64' : 'utf8'));
  });

  it('base64-encodes a body sent without a content type, and keeps binary bytes intact', async () => {
    const { url, lastEvent } = await start();
    const bytes = Buffer.from([0, 1, 2, 254, 255]);

    await rawPost(url, '/orders', bytes);

    expect(lastEvent().isBase64Encoded).toBe(true);
    expect(Buffer.from(lastEvent().body ?? '', 'base64')).toEqual(bytes);
  });
});

/** A POST with no Content-Type header at all (fetch adds one for most body types). */
function rawPost(url: string, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      `${url}${path}`,
      { method: 'POST', headers: { 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('routing', () => {
  it.each([
    ['GET', '/orders/special', 'SpecialOrder', undefined],
    ['GET', '/orders/123', 'GetOrder', { orderId: '123' }],
    ['POST', '/orders/123/cancel', 'CancelOrder', { orderId: '123' }],
    ['GET', '/files/a/b/c.txt', 'GetFiles', { proxy: 'a/b/c.txt' }],
    ['DELETE', '/files/a/b', 'AnyFiles', { proxy: 'a/b' }],
    ['GET', '/files/public/logo.png', 'PublicFiles', { proxy: 'logo.png' }],
  ])('routes %s %s to %s, the most specific route', async (method, path, functionName, pathParameters) => {
    const { url, invocations } = await start();

    const response = await fetch(`${url}${path}`, { method });

    expect(response.status).toBe(200);
    expect(invocations.map((invocation) => invocation.functionName)).toEqual([functionName]);
    expect(invocations[0]?.event.pathParameters).toEqual(pathParameters);
  });

  it.each([
    ['GET', '/orders/123/cancel'],
    ['PUT', '/orders'],
    ['GET', '/orders/'],
    ['GET', '/files'],
    ['GET', '/files/'],
    ['GET', '/nothing'],
  ])('answers %s %s with API Gateway 404 when no route matches', async (method, path) => {
    const { url, invocations } = await start();

    const response = await fetch(`${url}${path}`, { method });

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(invocations).toEqual([]);
  });

  it('sends what no route matches to $default', async () => {
    const { url, invocations, lastEvent } = await start(
      {},
      { routes: [...shopRoutes, { routeKey: '$default', functionName: 'Everything' }] },
    );

    await fetch(`${url}/nothing/here?x=1`, { method: 'PATCH' });
    await fetch(`${url}/orders/special`);

    expect(invocations.map((invocation) => invocation.functionName)).toEqual(['Everything', 'SpecialOrder']);
    expect(invocations[0]?.event).toMatchObject({ routeKey: '$default', rawPath: '/nothing/here' });
    expect(lastEvent().requestContext.routeKey).toBe('GET /orders/special');
  });

  it('lets the fallback answer requests no route matches', async () => {
    const { url, invocations } = await start(
      {},
      {
        fallback(request, response) {
          if (request.url !== '/') return false;
          response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>live</h1>');
          return true;
        },
      },
    );

    const page = await fetch(`${url}/`);
    const missing = await fetch(`${url}/missing`);

    expect(await page.text()).toBe('<h1>live</h1>');
    expect(missing.status).toBe(404);
    expect(invocations).toEqual([]);
  });

  it('asks the fallback before the $default route, which gets what the fallback leaves', async () => {
    const { url, invocations } = await start(
      {},
      {
        routes: [...shopRoutes, { routeKey: '$default', functionName: 'Everything' }],
        fallback(request, response) {
          if (request.url !== '/') return false;
          response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>live</h1>');
          return true;
        },
      },
    );

    const page = await fetch(`${url}/`);
    await fetch(`${url}/missing`);

    expect(await page.text()).toBe('<h1>live</h1>');
    expect(invocations.map((invocation) => invocation.functionName)).toEqual(['Everything']);
  });

  it('serves a named stage under its prefix and reports it in the event', async () => {
    const { url, lastEvent } = await start({}, { stage: 'prod' });

    expect(url).toMatch(/\/prod$/);
    const routed = await fetch(`${url}/orders/7`);
    const outside = await fetch(`${new URL(url).origin}/orders/7`);

    expect(routed.status).toBe(200);
    expect(outside.status).toBe(404);
    expect(lastEvent()).toMatchObject({
      rawPath: '/prod/orders/7',
      routeKey: 'GET /orders/{orderId}',
      requestContext: { stage: 'prod', http: { path: '/prod/orders/7' } },
    });
  });

  it.each([
    ['GET orders', /must start with \//],
    ['FETCH /orders', /METHOD in/],
    ['GET /files/{proxy+}/x', /greedy variable/],
    ['GET /orders/id{orderId}', /a variable must be a whole segment/],
    ['GET /a//b', /empty path segments/],
  ])('refuses the route key %s when the API is created', async (routeKey, message) => {
    const invoker: LambdaInvoker = { invoke: async () => ok(null) };
    await expect(
      createHttpApi({ routes: [{ routeKey, functionName: 'F' }], invoker, log: () => {} }),
    ).rejects.toThrow(message);
  });

  it('refuses a route key defined twice', async () => {
    const invoker: LambdaInvoker = { invoke: async () => ok(null) };
    const routes = [
      { routeKey: 'GET /a', functionName: 'F' },
      { routeKey: 'GET /a', functionName: 'G' },
    ];
    await expect(createHttpApi({ routes, invoker, log: () => {} })).rejects.toThrow(/defined twice/);
  });
});

describe('the response', () => {
  it('maps a structured result: status, headers, multi-value headers, cookies and body', async () => {
    const { url } = await start({
      PlaceOrder: () =>
        ok({
          statusCode: 202,
          headers: { Location: '/orders/o-1', 'content-type': 'application/json', 'x-retry': 3 },
          multiValueHeaders: { 'x-multi': ['a', 'b'] },
          cookies: ['session=abc; Path=/; HttpOnly', 'theme=dark'],
          body: '{"orderId":"o-1"}',
        }),
    });

    const response = await fetch(`${url}/orders`, { method: 'POST', body: '{}' });

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/orders/o-1');
    expect(response.headers.get('x-retry')).toBe('3');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.getSetCookie()).toEqual(['session=abc; Path=/; HttpOnly', 'theme=dark']);
    expect(await response.json()).toEqual({ orderId: 'o-1' });
  });

  it('decodes a base64 body the function flags with isBase64Encoded', async () => {
    const bytes = Buffer.from([137, 80, 78, 71, 0, 255]);
    const { url } = await start({
      GetFiles: () =>
        ok({
          statusCode: 200,
          headers: { 'content-type': 'image/png' },
          body: bytes.toString('base64'),
          isBase64Encoded: true,
        }),
    });

    const response = await fetch(`${url}/files/logo.png`);

    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('sends a result without statusCode as a 200 JSON body, as API Gateway does', async () => {
    const { url } = await start({
      GetOrder: () => ok({ orderId: 'o-1', status: 'PAID' }),
      SpecialOrder: () => ok('just text'),
    });

    const object = await fetch(`${url}/orders/o-1`);
    const text = await fetch(`${url}/orders/special`);

    expect(object.status).toBe(200);
    expect(object.headers.get('content-type')).toBe('application/json');
    expect(await object.json()).toEqual({ orderId: 'o-1', status: 'PAID' });
    expect(await text.text()).toBe('"just text"');
  });

  it('answers 500 with API Gateway body when the function fails, and logs the error', async () => {
    const { url, logs } = await start({
      GetOrder: () => ({ ok: false, error: { errorType: 'TypeError', errorMessage: 'boom at line 3' } }),
    });

    const response = await fetch(`${url}/orders/o-1`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.find((log) => log.level === 'ERROR')).toMatchObject({
      source: 'apigateway',
      message: 'GetOrder failed: TypeError: boom at line 3',
    });
  });

  it('answers 500 when the invoker itself throws, and keeps serving', async () => {
    const { url, logs } = await start({
      GetOrder: () => {
        throw new Error('runtime crashed');
      },
    });

    const failed = await fetch(`${url}/orders/o-1`);
    const next = await fetch(`${url}/orders/special`);

    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(next.status).toBe(200);
    expect(logs.some((log) => log.level === 'ERROR' && log.message.includes('runtime crashed'))).toBe(true);
  });

  it.each([
    ['a statusCode that is not a status', { statusCode: 'two hundred' }],
    ['a body that is not a string', { statusCode: 200, body: { orderId: 'o-1' } }],
    ['a header value with a line break', { statusCode: 200, headers: { 'x-bad': 'a\nb' } }],
  ])('answers 500 for a malformed response: %s', async (_name, payload) => {
    const { url, logs } = await start({ GetOrder: () => ok(payload) });

    const response = await fetch(`${url}/orders/o-1`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.some((log) => log.level === 'ERROR' && log.message.includes('malformed response'))).toBe(
      true,
    );
  });

  it('answers 503 when the function outlives the integration timeout', async () => {
    let release: (() => void) | undefined;
    const { url } = await start(
      { GetOrder: () => new Promise<InvokeResult>((resolve) => (release = () => resolve(ok(null)))) },
      { integrationTimeoutMs: 50 },
    );

    const response = await fetch(`${url}/orders/o-1`);
    release?.();

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('refuses a body over 10 MB with 413 without invoking the function', async () => {
    const { url, invocations } = await start();

    const response = await fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 32),
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(invocations).toEqual([]);
  });

  it('tells onRequest listeners about every answered request', async () => {
    const { url, api } = await start();
    const seen: HttpApiRequest[] = [];
    api.onRequest((request) => seen.push(request));

    await fetch(`${url}/orders/o-1`);
    await fetch(`${url}/nowhere`);

    expect(seen).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/orders/o-1',
        routeKey: 'GET /orders/{orderId}',
        functionName: 'GetOrder',
        statusCode: 200,
      }),
      expect.objectContaining({ method: 'GET', path: '/nowhere', statusCode: 404 }),
    ]);
    expect(seen[1]).not.toHaveProperty('routeKey');
  });
});
