import { type DomainEvent, EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import {
  type CancelOrderDependencies,
  cancelOrder,
  OrderNotCancellableError,
} from '../src/domain/cancel-order.ts';
import { type Order, OrderNotFoundError } from '../src/domain/order.ts';
import { aCancelledOrder, aCustomerId, anOrder } from './builders.ts';
import { InMemoryOrdersStore } from './in-memory-orders-store.ts';

function ports(orders: Order[], options: { publishFails?: boolean } = {}) {
  const store = new InMemoryOrdersStore(...orders);
  const published: DomainEvent[] = [];
  const deps: CancelOrderDependencies = {
    orders: store,
    events: {
      async publish(...events) {
        if (options.publishFails) throw new Error('bus unavailable');
        published.push(...events);
      },
    },
    now: () => new Date('2025-03-10T14:20:00.000Z'),
  };
  return { deps, store, published };
}

const customerId = aCustomerId();
const context = { correlationId: 'req-2', customerId };
/** An order of the signed-in customer. */
const anOrderOfTheCustomer = (overrides: Partial<Order> = {}) => anOrder({ customerId, ...overrides });

/**
 * Why cancelling `order` as the signed-in customer fails, once it is checked that the refusal
 * changed and announced nothing.
 */
async function refusalOf(order: Order): Promise<unknown> {
  const { deps, store, published } = ports([order]);
  const error = await cancelOrder(order.orderId, context, deps).then(
    () => expect.unreachable('the cancellation was accepted'),
    (refusal: unknown) => refusal,
  );
  expect(store.orders.get(order.orderId)).toEqual(order);
  expect(published).toEqual([]);
  return error;
}

describe('cancelling an order', () => {
  it.each(['PENDING_PAYMENT', 'PAID'] as const)(
    'cancels a %s order and announces it once',
    async (status) => {
      const order = anOrderOfTheCustomer({ status });
      const { deps, store, published } = ports([order]);

      expect(await cancelOrder(order.orderId, context, deps)).toEqual({
        orderId: order.orderId,
        status: 'CANCELLED',
      });
      expect(store.orders.get(order.orderId)).toEqual({
        ...order,
        status: 'CANCELLED',
        cancelledFrom: status,
        cancelledAt: '2025-03-10T14:20:00.000Z',
        cancellationPublishedAt: '2025-03-10T14:20:00.000Z',
        updatedAt: '2025-03-10T14:20:00.000Z',
      });
      expect(published).toEqual([
        {
          id: deterministicId('evt', EVENTS.OrderCancelled.type, order.orderId),
          type: EVENTS.OrderCancelled.type,
          version: 1,
          occurredAt: '2025-03-10T14:20:00.000Z',
          correlationId: 'req-2',
          data: { orderId: order.orderId, previousStatus: status },
        },
      ]);
    },
  );

  it.each(['INVOICED', 'PAYMENT_FAILED'] as const)(
    'refuses a %s order and changes nothing',
    async (status) => {
      const error = await refusalOf(anOrderOfTheCustomer({ status }));
      expect(error).toBeInstanceOf(OrderNotCancellableError);
    },
  );

  it('refuses an order whose cancellation was already announced', async () => {
    const order = aCancelledOrder({ customerId });
    const { deps, published } = ports([order]);
    await expect(cancelOrder(order.orderId, context, deps)).rejects.toBeInstanceOf(OrderNotCancellableError);
    expect(published).toEqual([]);
  });

  it('announces again, with the same event, a cancellation whose announcement failed', async () => {
    const order = anOrderOfTheCustomer({ status: 'PAID' });
    const failing = ports([order], { publishFails: true });
    await expect(cancelOrder(order.orderId, context, failing.deps)).rejects.toThrow('bus unavailable');
    const cancelled = failing.store.orders.get(order.orderId) as Order;
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.cancellationPublishedAt).toBeUndefined();

    const retry = ports([cancelled]);
    expect(await cancelOrder(order.orderId, { ...context, correlationId: 'req-3' }, retry.deps)).toEqual({
      orderId: order.orderId,
      status: 'CANCELLED',
    });
    expect(retry.published).toEqual([
      expect.objectContaining({
        id: deterministicId('evt', EVENTS.OrderCancelled.type, order.orderId),
        data: { orderId: order.orderId, previousStatus: 'PAID' },
      }),
    ]);
    expect(retry.store.orders.get(order.orderId)?.cancellationPublishedAt).toBe('2025-03-10T14:20:00.000Z');
  });

  it('decides again on the new status when the payment was captured meanwhile', async () => {
    const order = anOrderOfTheCustomer();
    const { deps, store, published } = ports([order]);
    store.beforeWrite = () => {
      store.beforeWrite = () => {};
      store.move(order.orderId, { status: 'PAID' });
    };

    await cancelOrder(order.orderId, context, deps);

    expect(store.orders.get(order.orderId)?.cancelledFrom).toBe('PAID');
    expect(published.map((event) => event.data)).toEqual([
      { orderId: order.orderId, previousStatus: 'PAID' },
    ]);
  });

  it('refuses when the order was invoiced meanwhile', async () => {
    const order = anOrderOfTheCustomer({ status: 'PAID' });
    const { deps, store, published } = ports([order]);
    store.beforeWrite = () => store.move(order.orderId, { status: 'INVOICED' });

    await expect(cancelOrder(order.orderId, context, deps)).rejects.toBeInstanceOf(OrderNotCancellableError);
    expect(published).toEqual([]);
  });

  it.each(['PENDING_PAYMENT', 'PAID'] as const)(
    "does not know another customer's %s order, and changes and announces nothing",
    async (status) => {
      const error = await refusalOf(anOrder({ status }));
      expect(error).toEqual(new OrderNotFoundError('No order has this id'));
      expect(error).toBeInstanceOf(OrderNotFoundError);
    },
  );

  it('does not know an order that does not exist', async () => {
    const { deps } = ports([]);
    await expect(cancelOrder('ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T', context, deps)).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
  });
});
