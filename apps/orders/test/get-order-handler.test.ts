import { httpEvent, lambdaContext } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import { aCustomerId, anOrder } from './builders.ts';
import { bodyOf, createOrdersTable, type ErrorBody } from './handler-support.ts';

await createOrdersTable();
const { handler } = await import('../src/handlers/get-order.ts');
const { ordersStore } = await import('../src/adapters/orders-store.ts');

const customerId = aCustomerId();

/** GET /orders/{orderId}, signed in as the customer (or as `as`, or with no authorizer as `undefined`). */
function get(orderId: string, as: { customerId?: string } = { customerId }) {
  return handler(
    httpEvent({ method: 'GET', route: '/orders/{orderId}', pathParameters: { orderId }, ...as }),
    lambdaContext(),
  );
}

/** An order of the signed-in customer, stored. */
async function stored(overrides: Partial<Order> = {}): Promise<Order> {
  const order = anOrder({ customerId, ...overrides });
  await ordersStore.create(order);
  return order;
}

/** A response with the headers that differ per request left out. */
const comparable = ({ statusCode, body }: { statusCode?: number; body?: string }) => ({ statusCode, body });

describe('GET /orders/{orderId}', () => {
  it('answers 200 with the order: status, total, payment and its invoice id once issued', async () => {
    const order = await stored({
      status: 'INVOICED',
      payment: { method: 'card', status: 'CAPTURED', attempts: 2 },
      invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
    });

    const response = await get(order.orderId);

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      orderId: order.orderId,
      customerId,
      status: 'INVOICED',
      currency: 'EUR',
      items: order.items,
      total: 2500,
      payment: { method: 'card', status: 'CAPTURED', attempts: 2 },
      invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    });
  });

  it('shows why the payment of a failed order failed', async () => {
    const order = await stored({
      status: 'PAYMENT_FAILED',
      payment: { method: 'card', status: 'FAILED', attempts: 4, reason: 'provider_unavailable' },
    });

    const response = await get(order.orderId);

    expect(bodyOf<{ payment: unknown }>(response).payment).toEqual({
      method: 'card',
      status: 'FAILED',
      attempts: 4,
      reason: 'provider_unavailable',
    });
  });

  it('answers 404 for an order id that names no order', async () => {
    const response = await get('ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T');
    expect(response.statusCode).toBe(404);
    expect(bodyOf<ErrorBody>(response)).toEqual({
      error: { code: 'not_found', message: 'No order has this id' },
    });
  });

  it("answers 404 for another customer's order, exactly as for an order id that names no order", async () => {
    const theirs = anOrder();
    await ordersStore.create(theirs);

    const response = await get(theirs.orderId);

    expect(comparable(response)).toEqual(comparable(await get('ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T')));
    expect(response.statusCode).toBe(404);
    // The owner still reads it.
    expect((await get(theirs.orderId, { customerId: theirs.customerId })).statusCode).toBe(200);
  });

  it('answers 401 on a request that reached it without a signed-in customer, even for an existing order', async () => {
    const order = await stored();

    const response = await get(order.orderId, {});

    expect(response.statusCode).toBe(401);
    expect(bodyOf<ErrorBody>(response)).toEqual({
      error: { code: 'unauthorized', message: 'This route needs a signed-in customer' },
    });
  });

  it.each([
    ['a number', '12345'],
    ['another kind of id', 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T'],
    ['a lower-case id', 'ord_01jd3v5q3z8n2x4g7k9m1p6r0t'],
    ['a too short id', 'ord_01JD3V5Q'],
    ['an expression', "ord_' OR 1=1"],
  ])('answers 404 for a malformed order id: %s', async (_, orderId) => {
    const response = await get(orderId);
    expect(response.statusCode).toBe(404);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('not_found');
  });
});
