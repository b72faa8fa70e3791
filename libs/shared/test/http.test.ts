import { httpEvent, lambdaContext } from '@shop/testing/events';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidSignatureError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../src/errors.ts';
import { httpHandler, MAX_BODY_BYTES, refuseUnmatchedRoute } from '../src/http.ts';
import { readJsonBody } from '../src/json-body.ts';
import { createObservability } from '../src/observability.ts';

const observability = createObservability();
const echo = httpHandler(observability, async (request) => ({
  status: 200,
  body: { received: readJsonBody(request) },
}));
const post = (body: unknown, headers: Record<string, string> = {}) =>
  echo(httpEvent({ method: 'POST', route: '/things', body, headers }), lambdaContext());
const errorOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}').error;

describe('the HTTP handler wrapper', () => {
  it('parses a JSON body and answers JSON with the correlation id', async () => {
    const event = httpEvent({ method: 'POST', route: '/things', body: { a: 1 } });
    const result = await echo(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ received: { a: 1 } });
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.headers?.['x-correlation-id']).toBe(event.requestContext.requestId);
  });

  it('accepts a content type with parameters and any case', async () => {
    const result = await post({ a: 1 }, { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(result.statusCode).toBe(200);
  });

  it('decodes a base64-encoded body', async () => {
    const event = httpEvent({
      method: 'POST',
      route: '/things',
      body: Buffer.from('{"a":2}').toString('base64'),
      isBase64Encoded: true,
    });
    const result = await echo(event, lambdaContext());
    expect(JSON.parse(result.body ?? '')).toEqual({ received: { a: 2 } });
  });

  it('refuses a body over 64 KiB with 413 before parsing it', async () => {
    const result = await post(`"${'x'.repeat(MAX_BODY_BYTES)}"`);
    expect(result.statusCode).toBe(413);
    expect(errorOf(result).code).toBe('payload_too_large');
  });

  it('counts the limit in bytes, not characters', async () => {
    const result = await post(`"${'€'.repeat(MAX_BODY_BYTES / 3 + 1)}"`);
    expect(result.statusCode).toBe(413);
  });

  it('refuses a body that is not declared as JSON with 415', async () => {
    for (const contentType of ['text/plain', 'application/jsonx', 'application/x-www-form-urlencoded']) {
      const result = await post({ a: 1 }, { 'content-type': contentType });
      expect(result.statusCode).toBe(415);
      expect(errorOf(result).code).toBe('unsupported_media_type');
    }
  });

  it('refuses malformed, truncated and empty JSON with 400 malformed_json', async () => {
    for (const body of ['{"a":', '{a:1}', "{'a':1}", '', '   ']) {
      const result = await post(body);
      expect(result.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(result).code).toBe('malformed_json');
    }
  });

  it('refuses a body with a duplicate key at any depth with 400 malformed_json, naming the key', async () => {
    const cases = [
      ['{"a":1,"a":2}', 'a'],
      ['{"items":[{"sku":"X","unitPrice":1,"unitPrice":1250}]}', 'items.0.unitPrice'],
      ['{"payment":{"token":"tok_a","method":"card","token":"tok_b"}}', 'payment.token'],
      // The same key, spelled once with an escape: it is the same key once decoded.
      ['{"a\\u0062":1,"ab":2}', 'ab'],
      ['[{"x":1},{"y":[0,{"z":1,"z":2}]}]', '1.y.1.z'],
    ] as const;
    for (const [body, path] of cases) {
      const result = await post(body);
      expect(result.statusCode, body).toBe(400);
      expect(errorOf(result)).toMatchObject({ code: 'malformed_json', details: [{ path }] });
    }
  });

  it('answers a body nested deeper than a recursive parser could follow without overflowing the stack', async () => {
    // Reads the body and answers without echoing it: serializing the value back is not under test.
    const accept = httpHandler(observability, async (request) => {
      readJsonBody(request);
      return { status: 200, body: { accepted: true } };
    });
    const send = (body: string) =>
      accept(
        httpEvent({
          method: 'POST',
          route: '/things',
          body,
          headers: { 'content-type': 'application/json' },
        }),
        lambdaContext(),
      );
    const depth = 30_000; // 60,000 bytes: inside the 64 KiB limit
    const nested = await send(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(nested.statusCode).toBe(200);
    const duplicate = await send(`${'['.repeat(depth)}{"a":1,"a":2}${']'.repeat(depth)}`);
    expect(duplicate.statusCode).toBe(400);
    expect(errorOf(duplicate).code).toBe('malformed_json');
  });

  it('accepts the same key in different objects', async () => {
    const result = await post('{"a":{"id":1},"b":{"id":2},"c":[{"id":3},{"id":4}]}');
    expect(result.statusCode).toBe(200);
  });

  it('maps typed errors to their status and the error shape, with details', async () => {
    const cases = [
      [new ValidationError('bad', [{ path: 'items', message: 'Too small' }]), 400, 'validation_failed'],
      [new NotFoundError('gone'), 404, 'not_found'],
      [new ConflictError('late'), 409, 'conflict'],
      [new UnauthorizedError('who?'), 401, 'unauthorized'],
      [new InvalidSignatureError('forged'), 401, 'invalid_signature'],
    ] as const;
    for (const [error, status, code] of cases) {
      const failing = httpHandler(observability, async () => {
        throw error;
      });
      const result = await failing(httpEvent({ method: 'GET', route: '/x' }), lambdaContext());
      expect(result.statusCode).toBe(status);
      expect(errorOf(result)).toEqual({
        code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
    }
  });

  it('answers 500 without leaking the error message or stack', async () => {
    const failing = httpHandler(observability, async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.12:5432 password=hunter2');
    });
    const result = await failing(httpEvent({ method: 'GET', route: '/x' }), lambdaContext());
    expect(result.statusCode).toBe(500);
    expect(errorOf(result).code).toBe('internal_error');
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(result.body).not.toContain('hunter2');
    expect(result.body).not.toContain('at ');
  });
});

describe('the query string', () => {
  // Answers with the parameters it was asked to read, as `null` when the request has none.
  const reading = (names: readonly string[]) =>
    httpHandler(observability, async (request) => ({
      status: 200,
      body: Object.fromEntries(names.map((name) => [name, request.queryParameter(name) ?? null])),
    }));
  const read = async (names: readonly string[], event: APIGatewayProxyEventV2) =>
    JSON.parse((await reading(names)(event, lambdaContext())).body ?? '');

  it('gives a parameter decoded, by its exact name', async () => {
    const event = httpEvent({ method: 'GET', route: '/orders', query: { limit: '10', next: 'a b&c=d/é' } });
    expect(await read(['limit', 'next', 'Limit'], event)).toEqual({
      limit: '10',
      next: 'a b&c=d/é',
      Limit: null,
    });
  });

  it('gives a repeated parameter joined with commas, and an empty one as empty', async () => {
    const event = httpEvent({
      method: 'GET',
      route: '/orders',
      query: { status: ['PAID', 'CANCELLED'], q: '' },
    });
    expect(await read(['status', 'q'], event)).toEqual({ status: 'PAID,CANCELLED', q: '' });
  });

  it('gives nothing for a request without a query string, and nothing from the object prototype', async () => {
    const none = httpEvent({ method: 'GET', route: '/orders' });
    expect(none).not.toHaveProperty('queryStringParameters');
    expect(await read(['limit', 'constructor'], none)).toEqual({ limit: null, constructor: null });
    const some = httpEvent({ method: 'GET', route: '/orders', query: { limit: '1' } });
    expect(await read(['toString', 'hasOwnProperty'], some)).toEqual({
      toString: null,
      hasOwnProperty: null,
    });
  });

  it('comes from the test event as API Gateway builds it: URL-encoded raw, decoded parameters', () => {
    // fromEntries, so that `__proto__` is a parameter rather than the literal's prototype.
    const query = Object.fromEntries([
      ['status', ['PAID', 'CANCELLED']],
      ['next', 'a b&c=d/é'],
      ['__proto__', 'x'],
    ]);
    const event = httpEvent({ method: 'GET', route: '/orders', query });
    expect(event.rawQueryString).toBe('status=PAID&status=CANCELLED&next=a%20b%26c%3Dd%2F%C3%A9&__proto__=x');
    expect(event.queryStringParameters).toEqual(
      Object.fromEntries([
        ['status', 'PAID,CANCELLED'],
        ['next', 'a b&c=d/é'],
        ['__proto__', 'x'],
      ]),
    );
    expect(Object.hasOwn(event.queryStringParameters ?? {}, '__proto__')).toBe(true);
  });
});

describe('the signed-in customer', () => {
  // Answers with the customer, and counts the requests that got past reading it.
  let served = 0;
  const whoAmI = httpHandler(observability, async (request) => {
    const customerId = request.customerId();
    served += 1;
    return { status: 200, body: { customerId } };
  });
  const call = (event: APIGatewayProxyEventV2) => whoAmI(event, lambdaContext());
  const unauthorized = {
    code: 'unauthorized',
    message: 'This route needs a signed-in customer',
  };

  it('is the sub claim the JWT authorizer passed on', async () => {
    const result = await call(httpEvent({ method: 'GET', route: '/me', customerId: 'cus-7f3a' }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ customerId: 'cus-7f3a' });
  });

  it('comes with the claims of a real token: issuer, audience, token use and times, all as strings', () => {
    const event = httpEvent({ method: 'GET', route: '/me', customerId: 'cus-7f3a' });
    const { claims, scopes } = event.requestContext.authorizer.jwt;
    expect(claims).toMatchObject({
      sub: 'cus-7f3a',
      iss: expect.stringMatching(/^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/[a-z0-9-]+_\w+$/),
      aud: expect.any(String),
      token_use: 'id',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    expect(Object.values(claims).every((value) => typeof value === 'string')).toBe(true);
    expect(scopes).toBeNull();
  });

  it('is refused with 401 on a route that has no authorizer, and the handler goes no further', async () => {
    const before = served;
    const result = await call(httpEvent({ method: 'GET', route: '/me' }));
    expect(result.statusCode).toBe(401);
    expect(errorOf(result)).toEqual(unauthorized);
    expect(served).toBe(before);
  });

  it.each([
    ['an empty sub', (claims: Record<string, unknown>) => Object.assign(claims, { sub: '' })],
    ['no sub', (claims: Record<string, unknown>) => delete claims.sub],
    ['a sub that is not a string', (claims: Record<string, unknown>) => Object.assign(claims, { sub: 42 })],
  ])('is refused with 401 for claims with %s', async (_, change) => {
    const event = httpEvent({ method: 'GET', route: '/me', customerId: 'cus-7f3a' });
    change(event.requestContext.authorizer.jwt.claims);
    const before = served;
    const result = await call(event);
    expect(result.statusCode).toBe(401);
    expect(errorOf(result)).toEqual(unauthorized);
    expect(served).toBe(before);
  });

  it('is refused with 401 when another kind of authorizer ran', async () => {
    const event = httpEvent({ method: 'GET', route: '/me' });
    Object.assign(event.requestContext, { authorizer: { iam: { userId: 'AIDAEXAMPLE' } } });
    const result = await call(event);
    expect(result.statusCode).toBe(401);
  });
});

describe('the answer for a request no route matched', () => {
  const routeKeys = ['POST /orders', 'GET /orders/{orderId}', 'POST /orders/{orderId}/cancel'];
  const unmatched = httpHandler(observability, async (request) =>
    refuseUnmatchedRoute(routeKeys, request.method, request.path),
  );
  const call = (method: string, path: string) => {
    const event = httpEvent({ method, route: path });
    event.routeKey = '$default';
    return unmatched(event, lambdaContext());
  };

  it('is 405 with the accepted methods in Allow when the path exists', async () => {
    const result = await call('DELETE', '/orders/ord_1');
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('GET');
    expect(errorOf(result).code).toBe('method_not_allowed');
  });

  it('is 404 not_found for a path no route has', async () => {
    for (const path of ['/orderz', '/orders/ord_1/refund', '/', '/orders/ord_1/cancel/x']) {
      const result = await call('GET', path);
      expect(result.statusCode, path).toBe(404);
      expect(errorOf(result).code).toBe('not_found');
    }
  });
});
