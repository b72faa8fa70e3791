import { signWebhook } from '@shop/testing/bank-webhook';
import { describe, expect, it } from 'vitest';
import { anOrder } from '../test/an-order.ts';
import {
  CANARY_TOKEN,
  type HostileRequest,
  idRequests,
  orderBodies,
  UNKNOWN_ORDER_ID,
  unknownPaths,
  webhookRequests,
  wrongMethods,
} from '../test/hostile-requests.ts';
import { customer, settled, target, uniqueKey } from './support.ts';

/**
 * What the API refuses or answers twice the same, on any target: replays of one Idempotency-Key,
 * a cancel too late, another customer's order, and the hostile-input corpus (bodies, ids, the
 * bank's notices, methods and paths), each with its documented status and error, writing nothing.
 */
const carol = customer('requests');
const mallory = customer('requests-other');
/** Places no order of its own: any order of its is one a refused request wrote. */
const dave = customer('requests-refused');

describe.concurrent('an order', () => {
  it('placed twice with one Idempotency-Key is one order; the key with another body is refused 422', async () => {
    const key = { 'idempotency-key': uniqueKey('e2e') };
    const first = await carol.call('POST', '/orders', anOrder(), key);
    const replay = await carol.call('POST', '/orders', anOrder(), key);
    expect(first.status).toBe(202);
    expect(replay).toMatchObject({ status: 202, body: { orderId: first.body.orderId } });

    const reused = await carol.call('POST', '/orders', anOrder({ currency: 'USD' }), key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('is refused 409 when cancelled after it was invoiced', async () => {
    const placed = await carol.placeOrder({ method: 'card', token: 'tok_visa' });
    await settled(carol, placed.body.orderId, ['INVOICED']);
    const refused = await carol.cancel(placed.body.orderId);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
  });

  it('of another customer is answered 404, as an unknown id: read, cancel and its invoice', async () => {
    const placed = await carol.placeOrder({ method: 'card', token: 'tok_visa' });
    const order = await settled(carol, placed.body.orderId, ['INVOICED']);
    const unknownOrder = (await mallory.call('GET', `/orders/${UNKNOWN_ORDER_ID}`)).body;
    const unknownInvoice = (await mallory.call('GET', '/invoices/inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T')).body;
    for (const [method, path, unknown] of [
      ['GET', `/orders/${order.orderId}`, unknownOrder],
      ['POST', `/orders/${order.orderId}/cancel`, unknownOrder],
      ['GET', `/invoices/${order.invoiceId}`, unknownInvoice],
    ] as const) {
      expect(await mallory.call(method, path), path).toMatchObject({ status: 404, body: unknown });
    }
    expect((await carol.getOrder(order.orderId)).body).toEqual(order);
  });

  it('without a customer token is refused 401 by the API itself, and nothing is written', async () => {
    const response = await dave.call('POST', '/orders', anOrder(), { authorization: '' });
    expect(response).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(await dave.orderCount()).toBe(0);
  });

  it("with a customer's token altered to name another customer is refused 401 by the API itself", async () => {
    const [header, payload = '', signature] = (await dave.bearer()).replace(/^Bearer /, '').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, sub: await mallory.id() })).toString('base64url');
    const forged = { authorization: `Bearer ${header}.${altered}.${signature}` };
    for (const [method, path, body] of [
      ['POST', '/orders', anOrder()],
      ['GET', `/orders/${UNKNOWN_ORDER_ID}`, undefined],
    ] as const) {
      const response = await dave.call(method, path, body, forged);
      expect(response, `${method} ${path}`).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    }
    expect(await dave.orderCount()).toBe(0);
    expect(await mallory.orderCount()).toBe(0);
  });
});

/** A request of the corpus as it is: its body as given, the bank's signature or the customer's token. */
async function send(request: HostileRequest) {
  const body =
    typeof request.body === 'string' || Buffer.isBuffer(request.body) || request.body === undefined
      ? request.body
      : JSON.stringify(request.body);
  const headers: Record<string, string> = request.signed
    ? signWebhook(target.webhookSecret, typeof body === 'string' ? body : '').headers
    : await authorization(request.authorization);
  Object.assign(headers, request.headers);
  if (
    typeof body === 'string' &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${target.apiUrl}${request.path}`, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function authorization(given?: string): Promise<Record<string, string>> {
  if (given === '') return {};
  if (given !== undefined) return { authorization: given };
  // The customer's own token: the corpus is about bodies, ids and methods.
  return { authorization: await dave.bearer() };
}

describe.concurrent('a hostile request to the HTTP API, from a signed-in customer', () => {
  it.each([...orderBodies, ...idRequests, ...webhookRequests, ...wrongMethods, ...unknownPaths])(
    'is refused: $name',
    async (request) => {
      const response = await send(request);

      expect(response.status).toBe(request.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({
        error: {
          code: request.code,
          message: expect.any(String),
          ...(body.error.details ? { details: expect.any(Array) } : {}),
        },
      });
      if (request.names) {
        expect(body.error.details).toContainEqual(expect.objectContaining({ path: request.names }));
      }
      // Nothing of the request is echoed back: no token, no hostile string.
      expect(response.text).not.toContain(CANARY_TOKEN);
      expect(response.text).not.toContain('<script>');
      expect(await dave.orderCount()).toBe(0);
    },
  );
});
