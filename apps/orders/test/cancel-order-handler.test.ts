import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { deterministicId } from '@shop/shared/ids';
import { httpEvent, lambdaContext } from '@shop/shared/testing/events';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import { aCancelledOrder, anOrder } from './builders.ts';
import {
  acceptPutEvents,
  bodyOf,
  createOrdersTable,
  type ErrorBody,
  publishedEvents,
} from './handler-support.ts';

// Only EventBridge is mocked: its PutEvents endpoint belongs to the local cloud (apps/local), which
// these service tests cannot depend on; the end-to-end tests cover it for real. DynamoDB and SQS are real.
const eventBridge = mockClient(EventBridgeClient);
await createOrdersTable();
process.env.EVENT_BUS_NAME = 'test-bus';
const { handler } = await import('../src/handlers/cancel-order.ts');
const { ordersStore } = await import('../src/adapters/orders-store.ts');

beforeEach(() => acceptPutEvents(eventBridge));

function cancel(orderId: string) {
  return handler(
    httpEvent({ method: 'POST', route: '/orders/{orderId}/cancel', pathParameters: { orderId } }),
    lambdaContext(),
  );
}

async function stored(order: Order): Promise<Order> {
  await ordersStore.create(order);
  return order;
}

describe('POST /orders/{orderId}/cancel', () => {
  it('cancels a pending order: 202, CANCELLED, OrderCancelled published and recorded as published', async () => {
    const order = await stored(anOrder());

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
    expect(publishedEvents(eventBridge)).toEqual([
      {
        busName: 'test-bus',
        source: 'serverless-commerce.orders',
        detailType: 'OrderCancelled',
        detail: expect.objectContaining({
          id: deterministicId('evt', 'OrderCancelled', order.orderId),
          type: 'OrderCancelled',
          correlationId: response.headers?.['x-correlation-id'],
          data: { orderId: order.orderId, previousStatus: 'PENDING_PAYMENT' },
        }),
      },
    ]);
  });

  it('cancels a paid order, so that payments refund it', async () => {
    const order = await stored(
      anOrder({ status: 'PAID', payment: { method: 'card', status: 'CAPTURED', attempts: 1 } }),
    );

    const response = await cancel(order.orderId);

    expect(response.statusCode).toBe(202);
    expect((await ordersStore.get(order.orderId))?.status).toBe('CANCELLED');
    expect(publishedEvents(eventBridge).map((event) => event.detail.data)).toEqual([
      { orderId: order.orderId, previousStatus: 'PAID' },
    ]);
  });

  it.each(['INVOICED', 'PAYMENT_FAILED'] as const)(
    'answers 409 for a %s order and changes nothing',
    async (status) => {
      const order = await stored(anOrder({ status }));

      const response = await cancel(order.orderId);

      expect(response.statusCode).toBe(409);
      expect(bodyOf<ErrorBody>(response).error.code).toBe('conflict');
      expect(await ordersStore.get(order.orderId)).toEqual(order);
      expect(publishedEvents(eventBridge)).toEqual([]);
    },
  );

  it('answers 409 for an order whose cancellation is already published', async () => {
    const order = await stored(aCancelledOrder());
    const response = await cancel(order.orderId);
    expect(response.statusCode).toBe(409);
    expect(publishedEvents(eventBridge)).toEqual([]);
  });

  it('publishes again, with the same event id, a cancellation whose OrderCancelled was not published', async () => {
    const order = await stored(
      aCancelledOrder({ cancelledFrom: 'PAID', cancellationPublishedAt: undefined }),
    );

    const response = await cancel(order.orderId);

    expect(response.statusCode).toBe(202);
    expect(publishedEvents(eventBridge).map((event) => event.detail)).toEqual([
      expect.objectContaining({
        id: deterministicId('evt', 'OrderCancelled', order.orderId),
        occurredAt: order.cancelledAt,
        data: { orderId: order.orderId, previousStatus: 'PAID' },
      }),
    ]);
    expect((await ordersStore.get(order.orderId))?.cancellationPublishedAt).toEqual(expect.any(String));
  });

  it('answers 500 when OrderCancelled cannot be published, and the retry publishes it', async () => {
    const order = await stored(anOrder());
    eventBridge.on(PutEventsCommand).rejects(new Error('EventBridge is unavailable'));

    const failed = await cancel(order.orderId);

    expect(failed.statusCode).toBe(500);
    const cancelled = await ordersStore.get(order.orderId);
    expect(cancelled?.status).toBe('CANCELLED');
    expect(cancelled?.cancellationPublishedAt).toBeUndefined();

    acceptPutEvents(eventBridge);
    const retried = await cancel(order.orderId);

    expect(retried.statusCode).toBe(202);
    expect(publishedEvents(eventBridge).map((event) => event.detail.id)).toEqual([
      deterministicId('evt', 'OrderCancelled', order.orderId),
    ]);
  });

  it.each([
    ['an unknown order', 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T'],
    ['a malformed order id', 'not-an-order'],
  ])('answers 404 for %s', async (_, orderId) => {
    const response = await cancel(orderId);
    expect(response.statusCode).toBe(404);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('not_found');
    expect(publishedEvents(eventBridge)).toEqual([]);
  });
});
