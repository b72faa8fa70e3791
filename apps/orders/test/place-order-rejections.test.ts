import { MAX_AMOUNT } from '@shop/contracts/money';
import { httpEvent, lambdaContext } from '@shop/testing/events';
import { drainQueue, scanTable } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import { aCustomerId, aLine, anOrderRequest, withoutUndefined } from './builders.ts';
import { bodyOf, createPlaceOrderResources, type ErrorBody, publishedEvents } from './handler-support.ts';

// No request in this file may be accepted, so every table, the queue and the bus stay empty throughout.
const { ordersTable, idempotencyTable, queue, bus } = await createPlaceOrderResources();
const { handler } = await import('../src/handlers/place-order.ts');

/**
 * Sends as a signed-in customer (or with no authorizer, as `{}`) and with an Idempotency-Key, so an
 * empty idempotency table shows the key was never claimed.
 */
function post(
  body: unknown,
  headers: Record<string, string> = {},
  as: { customerId?: string } = { customerId: aCustomerId() },
) {
  return handler(
    httpEvent({
      method: 'POST',
      route: '/orders',
      body,
      headers: { 'Idempotency-Key': 'refused-1', ...headers },
      ...as,
    }),
    lambdaContext(),
  );
}

async function expectNothingWritten(): Promise<void> {
  expect(await scanTable(ordersTable)).toEqual([]);
  expect(await scanTable(idempotencyTable)).toEqual([]);
  expect(await drainQueue(queue.url)).toEqual([]);
  expect(await publishedEvents(bus)).toEqual([]);
}

const withLine = (line: Record<string, unknown>) => anOrderRequest({ items: [aLine(line)] });

describe('POST /orders refuses a body that breaks a rule with 400 validation_failed and writes nothing', () => {
  it.each([
    ['without currency', withoutUndefined(anOrderRequest({ currency: undefined })), 'currency'],
    ['without items', withoutUndefined(anOrderRequest({ items: undefined })), 'items'],
    ['without payment', withoutUndefined(anOrderRequest({ payment: undefined })), 'payment'],
    ['with an item without unitPrice', withLine({ unitPrice: undefined }), 'items.0.unitPrice'],
    ['with an unknown top-level field', anOrderRequest({ discount: 100 }), '(root)'],
    ['with an unknown field in an item', withLine({ price: 1250 }), 'items.0'],
    [
      'with an unknown field in the payment',
      anOrderRequest({ payment: { method: 'card', token: 't', cvc: '1' } }),
      'payment',
    ],
    ['with items as an object', anOrderRequest({ items: { sku: 'BOOK-42' } }), 'items'],
    ['with quantity as a string', withLine({ quantity: '2' }), 'items.0.quantity'],
    ['with a zero quantity', withLine({ quantity: 0 }), 'items.0.quantity'],
    ['with a negative quantity', withLine({ quantity: -3 }), 'items.0.quantity'],
    ['with a fractional quantity', withLine({ quantity: 1.5 }), 'items.0.quantity'],
    ['with a quantity over 1000', withLine({ quantity: 1001 }), 'items.0.quantity'],
    ['with a zero unitPrice', withLine({ unitPrice: 0 }), 'items.0.unitPrice'],
    ['with a negative unitPrice', withLine({ unitPrice: -1250 }), 'items.0.unitPrice'],
    ['with a fractional unitPrice', withLine({ unitPrice: 12.5 }), 'items.0.unitPrice'],
    ['with unitPrice as a string', withLine({ unitPrice: '1250' }), 'items.0.unitPrice'],
    ['with a bad sku', withLine({ sku: 'BOOK 42' }), 'items.0.sku'],
    ['with an unknown currency', anOrderRequest({ currency: 'XXX' }), 'currency'],
    ['with no items', anOrderRequest({ items: [] }), 'items'],
    [
      'with 101 items',
      anOrderRequest({ items: Array.from({ length: 101 }, (_, index) => aLine({ sku: `SKU-${index}` })) }),
      'items',
    ],
    ['with a total over MAX_AMOUNT', withLine({ quantity: 2, unitPrice: MAX_AMOUNT }), 'items'],
    ['with an unknown payment method', anOrderRequest({ payment: { method: 'cash' } }), 'payment.method'],
    ['with a card payment without token', anOrderRequest({ payment: { method: 'card' } }), 'payment.token'],
    ['that is a JSON array', [anOrderRequest()], '(root)'],
  ])('refuses an order %s', async (_, body, path) => {
    const response = await post(body);

    expect(response.statusCode).toBe(400);
    const { error } = bodyOf<ErrorBody>(response);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([{ path, message: expect.any(String) }]);
    await expectNothingWritten();
  });

  it.each([
    ['a space', 'key 1'],
    ['a non-ASCII character', 'clé-1'],
    ['more than 255 characters', 'k'.repeat(256)],
  ])('refuses an Idempotency-Key with %s', async (_, key) => {
    const response = await post(anOrderRequest(), { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(response).error).toEqual({
      code: 'validation_failed',
      message: expect.any(String),
      details: [{ path: 'headers.idempotency-key', message: 'Invalid idempotency key' }],
    });
    await expectNothingWritten();
  });
});

describe('POST /orders takes the customer from the sign-in token alone and writes nothing otherwise', () => {
  it.each([
    ['their own id', (customerId: string) => customerId],
    ["another customer's id", () => aCustomerId()],
  ])('refuses a body that carries customerId (%s) with 400, naming the field', async (_, bodyCustomer) => {
    const customerId = aCustomerId();

    const response = await post(anOrderRequest({ customerId: bodyCustomer(customerId) }), {}, { customerId });

    expect(response.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(response).error).toEqual({
      code: 'validation_failed',
      message: 'Order is invalid',
      details: [
        {
          path: 'customerId',
          message: 'The customer comes from the sign-in token: remove customerId from the body',
        },
      ],
    });
    await expectNothingWritten();
  });

  it('answers 401 to a request without a signed-in customer, before reading its body', async () => {
    for (const body of [anOrderRequest(), anOrderRequest({ customerId: 'cus-42' }), '{"currency":']) {
      const response = await post(body, {}, {});

      expect(response.statusCode).toBe(401);
      expect(bodyOf<ErrorBody>(response)).toEqual({
        error: { code: 'unauthorized', message: 'This route needs a signed-in customer' },
      });
    }
    await expectNothingWritten();
  });
});

describe('POST /orders refuses a body it cannot read and writes nothing', () => {
  it('refuses a body over 64 KiB with 413', async () => {
    const body = anOrderRequest({ note: 'x'.repeat(64 * 1024) });
    const response = await post(body);
    expect(response.statusCode).toBe(413);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('payload_too_large');
    await expectNothingWritten();
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['JSON look-alike', { 'content-type': 'application/jsonp' }],
  ])('refuses a %s content type with 415', async (_, headers) => {
    const response = await post(anOrderRequest(), headers);
    expect(response.statusCode).toBe(415);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('unsupported_media_type');
    await expectNothingWritten();
  });

  it.each([
    ['malformed JSON', '{"currency": "EUR",'],
    ['an empty body', ''],
    ['a blank body', '  \n'],
  ])('refuses %s with 400 malformed_json', async (_, body) => {
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('malformed_json');
    await expectNothingWritten();
  });
});
