import { EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { localEndpoints } from '@shop/testing/endpoints';
import { httpEvent, lambdaContext } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { createTestBus } from '@shop/testing/resources';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import { aCancelledOrder, aCustomerId, anOrder } from './builders.ts';
import { bodyOf, createOrdersTable, type ErrorBody, publishedEvents } from './handler-support.ts';

// DynamoDB and EventBridge are the emulators: events are read from the test bus they arrived on.
await createOrdersTable();
const bus = await createTestBus();
const { handler } = await import('../src/handlers/cancel-order.ts');
const { ordersStore } = await import('../src/adapters/orders-store.ts');
// The same handler where PutEvents fails: its EventBridge endpoint drops every connection.
const { handler: handlerWithBusDown } = await importIsolated(
  { AWS_ENDPOINT_URL_EVENTBRIDGE: localEndpoints().refusing },
  () => import('../src/handlers/cancel-order.ts'),
);

beforeEach(() => bus.clear());

const customerId = aCustomerId();

/** POST /orders/{orderId}/cancel, signed in as the customer (or as `as`, or with no authorizer as `{}`). */
function cancel(orderId: string, cancelOrder = handler, as: { customerId?: string } = { customerId }) {
  return cancelOrder(
    httpEvent({ method: 'POST', route: '/orders/{orderId}/cancel', pathParameters: { orderId }, ...as }),
    lambdaContext(),
  );
}

/** A response with the headers that differ per request left out. */
const comparable = ({ statusCode, body }: { statusCode?: number; body?: string }) => ({ statusCode, body });

async function stored(order: Order): Promise<Order> {
  await ordersStore.create(order);
  return order;
}

describe('POST /orders/{orderId}/cancel', () => {
  it('cancels a pending order: 202, CANCELLED, OrderCancelled published and recorded as published', async () => {
    const order = await stored(anOrder({ customerId }));

    const response = await cancel(order.orderId);

    expect(response.statusCode).toBe(202);
    expect(bodyOf(response)).toEqual({ orderId: order.orderId, status: 'CANCELLED' });
    expect(await ordersStore.get(order.orderId)).toEqual({
      ...order,
      status: 'CANCELLED',
      cancelledFrom: 'PENDING_PAYMENT',
      cancelledAt: expect.any(String),
      cancellationPublishedAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await publishedEvents(bus)).toEqual([
      {
        source: 'serverless-commerce.orders',
        detailType: EVENTS.OrderCancelled.type,
        detail: expect.objectContaining({
          id: deterministicId('evt', EVENTS.OrderCancelled.type, order.orderId),
          type: EVENTS.OrderCancelled.type,
          correlationId: response.headers?.['x-correlation-id'],
          data: { orderId: order.orderId, previousStatus: 'PENDING_PAYMENT' },
        }),
      },
    ]);
  });

  it('cancels a paid order, so that payments refund it', async () => {
    const order = await stored(
      anOrder({ customerId, status: 'PAID', payment: { method: 'card', status: 'CAPTURED', attempts: 1 } }),
    );

    const response = await cancel(order.orderId);

    expect(response.statusCode).toBe(202);
    expect((await ordersStore.get(order.orderId))?.status).toBe('CANCELLED');
    expect((await publishedEvents(bus)).map((event) => event.detail.data)).toEqual([
      { orderId: order.orderId, previousStatus: 'PAID' },
    ]);
  });

  it.each(['INVOICED', 'PAYMENT_FAILED'] as const)(
    'answers 409 for a %s order and changes nothing',
    async (status) => {
      const order = await stored(anOrder({ customerId, status }));

      const response = await cancel(order.orderId);

      expect(response.statusCode).toBe(409);
      expect(bodyOf<ErrorBody>(response).error.code).toBe('conflict');
      expect(await ordersStore.get(order.orderId)).toEqual(order);
      expect(await publishedEvents(bus)).toEqual([]);
    },
  );

  it('answers 409 for an order whose cancellation is already published', async () => {
    const order = await stored(aCancelledOrder({ customerId }));
    const response = await cancel(order.orderId);
    expect(response.statusCode).toBe(409);
    expect(await publishedEvents(bus)).toEqual([]);
  });

  it('publishes again, with the same event id, a cancellation whose OrderCancelled was not published', async () => {
    const order = await stored(
      aCancelledOrder({ customerId, cancelledFrom: 'PAID', cancellationPublishedAt: undefined }),
    );

    const response = await cancel(order.orderId);

    expect(response.statusCode).toBe(202);
    expect((await publishedEvents(bus)).map((event) => event.detail)).toEqual([
      expect.objectContaining({
        id: deterministicId('evt', EVENTS.OrderCancelled.type, order.orderId),
        occurredAt: order.cancelledAt,
        data: { orderId: order.orderId, previousStatus: 'PAID' },
      }),
    ]);
    expect((await ordersStore.get(order.orderId))?.cancellationPublishedAt).toEqual(expect.any(String));
  });

  it('answers 500 when OrderCancelled cannot be published, and the retry publishes it', async () => {
    const order = await stored(anOrder({ customerId }));

    const failed = await cancel(order.orderId, handlerWithBusDown);

    expect(failed.statusCode).toBe(500);
    const cancelled = await ordersStore.get(order.orderId);
    expect(cancelled?.status).toBe('CANCELLED');
    expect(cancelled?.cancellationPublishedAt).toBeUndefined();

    const retried = await cancel(order.orderId);

    expect(retried.statusCode).toBe(202);
    expect((await publishedEvents(bus)).map((event) => event.detail.id)).toEqual([
      deterministicId('evt', EVENTS.OrderCancelled.type, order.orderId),
    ]);
  });

  it.each([
    ['an unknown order', 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T'],
    ['a malformed order id', 'not-an-order'],
  ])('answers 404 for %s', async (_, orderId) => {
    const response = await cancel(orderId);
    expect(response.statusCode).toBe(404);
    expect(bodyOf<ErrorBody>(response)).toEqual({
      error: { code: 'not_found', message: 'No order has this id' },
    });
    expect(await publishedEvents(bus)).toEqual([]);
  });

  it.each(['PENDING_PAYMENT', 'PAID'] as const)(
    "answers 404 for another customer's %s order, exactly as for an unknown one, and changes and publishes nothing",
    async (status) => {
      const theirs = await stored(anOrder({ status }));

      const response = await cancel(theirs.orderId);

      expect(comparable(response)).toEqual(comparable(await cancel('ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T')));
      expect(response.statusCode).toBe(404);
      expect(await ordersStore.get(theirs.orderId)).toEqual(theirs);
      expect(await publishedEvents(bus)).toEqual([]);
    },
  );

  it('answers 401 on a request that reached it without a signed-in customer, and changes and publishes nothing', async () => {
    const order = await stored(anOrder({ customerId }));

    const response = await cancel(order.orderId, handler, {});

    expect(response.statusCode).toBe(401);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('unauthorized');
    expect(await ordersStore.get(order.orderId)).toEqual(order);
    expect(await publishedEvents(bus)).toEqual([]);
  });
});
