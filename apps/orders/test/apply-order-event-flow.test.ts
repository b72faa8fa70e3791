import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import { applyOrderEvent } from '../src/domain/apply-order-event.ts';
import { ConcurrentOrderUpdateError, OrderNotFoundError } from '../src/domain/order.ts';
import { anEvent, anOrder } from './builders.ts';
import { InMemoryOrdersStore } from './in-memory-orders-store.ts';

const now = () => new Date('2025-03-10T14:16:00.000Z');

describe('applying an event to an order', () => {
  it('applies a transition and records the event on the order', async () => {
    const order = anOrder();
    const orders = new InMemoryOrdersStore(order);
    const event = anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 2 });

    expect(await applyOrderEvent(event, { orders, now })).toEqual({
      outcome: 'applied',
      from: 'PENDING_PAYMENT',
      to: 'PAID',
    });
    expect(orders.orders.get(order.orderId)).toEqual({
      ...order,
      status: 'PAID',
      payment: { method: 'card', status: 'CAPTURED', attempts: 2 },
      updatedAt: '2025-03-10T14:16:00.000Z',
    });
    expect(orders.recorded.get(order.orderId)).toEqual(new Set([event.id]));
  });

  it('changes nothing when the same event is delivered again', async () => {
    const order = anOrder();
    const orders = new InMemoryOrdersStore(order);
    const event = anEvent(EVENTS.PaymentCaptured.type, order.orderId);
    await applyOrderEvent(event, { orders, now });
    const afterFirst = structuredClone(orders.orders.get(order.orderId));

    expect(await applyOrderEvent(event, { orders, now })).toEqual({ outcome: 'duplicate' });
    expect(orders.orders.get(order.orderId)).toEqual(afterFirst);
  });

  it('records an event that does not apply and leaves the order as it is', async () => {
    const order = anOrder({ status: 'PAYMENT_FAILED' });
    const orders = new InMemoryOrdersStore(order);
    const event = anEvent(EVENTS.InvoiceIssued.type, order.orderId);

    expect(await applyOrderEvent(event, { orders, now })).toEqual({
      outcome: 'ignored',
      status: 'PAYMENT_FAILED',
      reason: 'InvoiceIssued does not apply to an order in status PAYMENT_FAILED',
    });
    expect(orders.orders.get(order.orderId)).toEqual(order);
    expect(orders.ignored.get(order.orderId)).toEqual([
      {
        eventId: event.id,
        type: EVENTS.InvoiceIssued.type,
        status: 'PAYMENT_FAILED',
        at: '2025-03-10T14:16:00.000Z',
      },
    ]);
  });

  it('evaluates the event again when the status moved between its read and its write', async () => {
    const order = anOrder();
    const orders = new InMemoryOrdersStore(order);
    // The payment is recorded as failed concurrently: the capture no longer applies and is ignored.
    orders.beforeWrite = () => {
      orders.beforeWrite = () => {};
      orders.move(order.orderId, { status: 'PAYMENT_FAILED' });
    };

    const result = await applyOrderEvent(anEvent(EVENTS.PaymentCaptured.type, order.orderId), {
      orders,
      now,
    });

    expect(result).toEqual(expect.objectContaining({ outcome: 'ignored', status: 'PAYMENT_FAILED' }));
    expect(orders.orders.get(order.orderId)?.status).toBe('PAYMENT_FAILED');
  });

  it('finishes as a duplicate when the same event was recorded concurrently', async () => {
    const order = anOrder();
    const orders = new InMemoryOrdersStore(order);
    const event = anEvent(EVENTS.PaymentCaptured.type, order.orderId);
    orders.beforeWrite = () => {
      orders.beforeWrite = () => {};
      void orders.applyTransition({
        orderId: order.orderId,
        eventId: event.id,
        from: 'PENDING_PAYMENT',
        changes: { status: 'PAID' },
        at: 'concurrently',
      });
    };

    expect(await applyOrderEvent(event, { orders, now })).toEqual({ outcome: 'duplicate' });
    expect(orders.orders.get(order.orderId)?.updatedAt).toBe('concurrently');
  });

  it('gives up after three attempts when the order keeps changing', async () => {
    const order = anOrder();
    const orders = new InMemoryOrdersStore(order);
    let writes = 0;
    orders.beforeWrite = () => {
      writes += 1;
      orders.move(order.orderId, { status: writes % 2 ? 'PAID' : 'PENDING_PAYMENT' });
    };

    await expect(
      applyOrderEvent(anEvent(EVENTS.PaymentCaptured.type, order.orderId), { orders, now }),
    ).rejects.toBeInstanceOf(ConcurrentOrderUpdateError);
    expect(writes).toBe(3);
  });

  it('fails for an unknown order, so the message goes back to the queue', async () => {
    const event = anEvent(EVENTS.PaymentCaptured.type, 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T');
    await expect(applyOrderEvent(event, { orders: new InMemoryOrdersStore(), now })).rejects.toBeInstanceOf(
      OrderNotFoundError,
    );
  });
});
