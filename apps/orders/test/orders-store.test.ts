import { randomUUID } from 'node:crypto';
import { EVENTS } from '@shop/contracts/events';
import { scanTable } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import { anOrder } from './builders.ts';
import { createOrdersTable } from './handler-support.ts';

const ordersTable = await createOrdersTable();
const { ordersStore } = await import('../src/adapters/orders-store.ts');

async function stored(order: Order): Promise<Order> {
  expect(await ordersStore.create(order)).toBe(true);
  return order;
}

const itemOf = async (orderId: string) =>
  (await scanTable(ordersTable)).find((item) => item.orderId === orderId);
const at = '2025-03-10T14:16:00.000Z';
const ignoredIn = (status: Order['status']) => ({
  eventId: `evt_${randomUUID()}`,
  type: EVENTS.PaymentCaptured.type,
  status,
  at,
});

describe('the Orders table adapter (conditional writes on DynamoDB)', () => {
  it('never overwrites an existing order', async () => {
    const order = await stored(anOrder());
    expect(await ordersStore.create({ ...order, total: 1 })).toBe(false);
    expect(await ordersStore.get(order.orderId)).toEqual(order);
  });

  it('applies a transition only from the expected status, and records its event id', async () => {
    const order = await stored(anOrder());
    const transition = { orderId: order.orderId, eventId: 'evt_1', changes: { status: 'PAID' as const }, at };

    expect(await ordersStore.applyTransition({ ...transition, from: 'PAID' })).toBe(false);
    expect(await itemOf(order.orderId)).toEqual(order);

    expect(await ordersStore.applyTransition({ ...transition, from: 'PENDING_PAYMENT' })).toBe(true);
    expect(await ordersStore.getForEvent(order.orderId, 'evt_1')).toEqual({
      order: { ...order, status: 'PAID', updatedAt: at },
      recorded: true,
    });
  });

  it('refuses a transition whose event is already recorded, even from the right status', async () => {
    const order = await stored(anOrder({ status: 'CANCELLED' }));
    const refund = {
      orderId: order.orderId,
      eventId: 'evt_refund',
      from: 'CANCELLED' as const,
      changes: { status: 'CANCELLED' as const, refund: { refundId: 'ref_1', amount: 2500 } },
      at,
    };
    expect(await ordersStore.applyTransition(refund)).toBe(true);
    expect(await ordersStore.applyTransition({ ...refund, at: 'later' })).toBe(false);
    expect((await ordersStore.get(order.orderId))?.updatedAt).toBe(at);
  });

  it('lets only one of two concurrent events move an order out of a status', async () => {
    const order = await stored(anOrder());
    const base = { orderId: order.orderId, from: 'PENDING_PAYMENT' as const, at };

    const results = await Promise.all([
      ordersStore.applyTransition({ ...base, eventId: 'evt_captured', changes: { status: 'PAID' } }),
      ordersStore.applyTransition({ ...base, eventId: 'evt_failed', changes: { status: 'PAYMENT_FAILED' } }),
    ]);

    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await itemOf(order.orderId))?.processedEventIds).toEqual(
      new Set([results[0] ? 'evt_captured' : 'evt_failed']),
    );
  });

  it('records an ignored event only while the order is in the status it was judged against', async () => {
    const order = await stored(anOrder({ status: 'INVOICED' }));
    expect(await ordersStore.recordIgnoredEvent(order.orderId, ignoredIn('PAID'))).toBe(false);
    const ignored = ignoredIn('INVOICED');
    expect(await ordersStore.recordIgnoredEvent(order.orderId, ignored)).toBe(true);
    expect(await ordersStore.recordIgnoredEvent(order.orderId, ignored)).toBe(false);
    expect((await itemOf(order.orderId))?.ignoredEvents).toEqual([ignored]);
  });

  it('cancels only from the expected status', async () => {
    const order = await stored(anOrder({ status: 'PAID' }));
    expect(await ordersStore.cancel({ orderId: order.orderId, from: 'PENDING_PAYMENT', at })).toBe(false);
    expect(await ordersStore.cancel({ orderId: order.orderId, from: 'PAID', at })).toBe(true);
    expect(await ordersStore.get(order.orderId)).toEqual({
      ...order,
      status: 'CANCELLED',
      cancelledFrom: 'PAID',
      cancelledAt: at,
      updatedAt: at,
    });
  });

  it('never marks an order that is not cancelled, nor creates one, as cancellation published', async () => {
    const order = await stored(anOrder());
    await expect(ordersStore.markCancellationPublished(order.orderId, at)).rejects.toThrow();
    const unknown = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';
    await expect(ordersStore.markCancellationPublished(unknown, at)).rejects.toThrow();
    expect(await itemOf(unknown)).toBeUndefined();
  });

  it('deletes an order only while it is pending', async () => {
    const pending = await stored(anOrder());
    const paid = await stored(anOrder({ status: 'PAID' }));
    await ordersStore.deleteIfPending(pending.orderId);
    await ordersStore.deleteIfPending(paid.orderId);
    expect(await ordersStore.get(pending.orderId)).toBeUndefined();
    expect(await ordersStore.get(paid.orderId)).toEqual(paid);
  });
});
