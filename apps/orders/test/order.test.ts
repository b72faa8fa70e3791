import { EVENTS } from '@shop/contracts/events';
import { ORDER_STATUSES, type OrderStatus, orderSchema } from '@shop/contracts/http';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import { applyEvent, isCancellable, orderView } from '../src/domain/order.ts';
import { ORDER_EVENTS, type OrderEventType } from '../src/domain/order-events.ts';
import { aCancelledOrder, anEvent, anOrder } from './builders.ts';

/** The documented transitions (docs/architecture.md), written out independently of the code's table. */
const expected: Partial<Record<`${OrderStatus} + ${OrderEventType}`, OrderStatus>> = {
  'PENDING_PAYMENT + PaymentCaptured': 'PAID',
  'PENDING_PAYMENT + PaymentFailed': 'PAYMENT_FAILED',
  'PENDING_PAYMENT + InvoiceIssued': 'INVOICED',
  'PAID + InvoiceIssued': 'INVOICED',
  'INVOICED + PaymentCaptured': 'INVOICED',
  'CANCELLED + PaymentCaptured': 'CANCELLED',
  'CANCELLED + PaymentFailed': 'CANCELLED',
  'CANCELLED + PaymentRefunded': 'CANCELLED',
};

const everyPair = ORDER_STATUSES.flatMap((status) => ORDER_EVENTS.map(({ type }) => [status, type] as const));

describe('the order transition table', () => {
  it('covers every status and every event type the order consumes', () => {
    expect(everyPair).toHaveLength(5 * 4);
  });

  it.each(everyPair)('%s + %s is applied or ignored as designed', (status, type) => {
    const order = anOrder({ status });
    const decision = applyEvent(order, anEvent(type, order.orderId));
    const to = expected[`${status} + ${type}`];
    if (to)
      expect(decision).toEqual({ outcome: 'applied', changes: expect.objectContaining({ status: to }) });
    else {
      expect(decision).toEqual({
        outcome: 'ignored',
        reason: `${type} does not apply to an order in status ${status}`,
      });
    }
  });

  it('marks a captured payment and its attempts when a pending order is paid', () => {
    const order = anOrder();
    const decision = applyEvent(order, anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 3 }));
    expect(decision).toEqual({
      outcome: 'applied',
      changes: { status: 'PAID', payment: { method: 'card', status: 'CAPTURED', attempts: 3 } },
    });
  });

  it('records the reason and attempts of a failed payment', () => {
    const order = anOrder({ payment: { method: 'bank_transfer', status: 'PENDING', attempts: 0 } });
    const event = anEvent(EVENTS.PaymentFailed.type, order.orderId, {
      reason: 'bank_transfer_timeout',
      attempts: 1,
    });
    expect(applyEvent(order, event)).toEqual({
      outcome: 'applied',
      changes: {
        status: 'PAYMENT_FAILED',
        payment: { method: 'bank_transfer', status: 'FAILED', reason: 'bank_transfer_timeout', attempts: 1 },
      },
    });
  });

  it('records the compensation of a failed payment: the refund of a capture that may have been made', () => {
    const order = anOrder();
    const compensation = { action: 'refunded' as const, refundId: 'ref_1' };
    const event = anEvent(EVENTS.PaymentFailed.type, order.orderId, {
      reason: 'provider_unavailable',
      attempts: 1,
      compensation,
    });
    const decision = applyEvent(order, event);
    expect(decision).toMatchObject({ outcome: 'applied', changes: { status: 'PAYMENT_FAILED' } });
    expect(decision.outcome === 'applied' && decision.changes.payment).toEqual({
      ...order.payment,
      status: 'FAILED',
      reason: 'provider_unavailable',
      attempts: 1,
      compensation,
    });
  });

  it('records the invoice id when a paid order is invoiced', () => {
    const order = anOrder({ status: 'PAID' });
    const event = anEvent(EVENTS.InvoiceIssued.type, order.orderId, {
      invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
    });
    expect(applyEvent(order, event)).toEqual({
      outcome: 'applied',
      changes: { status: 'INVOICED', invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' },
    });
  });

  it('settles an order whose InvoiceIssued overtook its PaymentCaptured, then learns the attempts from it', () => {
    const order = anOrder();
    const invoiced = applyEvent(
      order,
      anEvent(EVENTS.InvoiceIssued.type, order.orderId, { invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' }),
    );
    expect(invoiced).toEqual({
      outcome: 'applied',
      changes: {
        status: 'INVOICED',
        invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
        payment: { method: 'card', status: 'CAPTURED', attempts: 0 },
      },
    });
    const late = applyEvent(
      anOrder({ status: 'INVOICED', invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' }),
      anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 3 }),
    );
    expect(late).toEqual({
      outcome: 'applied',
      changes: { status: 'INVOICED', payment: { method: 'card', status: 'CAPTURED', attempts: 3 } },
    });
  });

  it('records a payment stopped by the cancellation and keeps the order cancelled', () => {
    const order = aCancelledOrder();
    const event = anEvent(EVENTS.PaymentFailed.type, order.orderId, { reason: 'cancelled', attempts: 0 });
    expect(applyEvent(order, event)).toEqual({
      outcome: 'applied',
      changes: {
        status: 'CANCELLED',
        payment: { ...order.payment, status: 'FAILED', reason: 'cancelled', attempts: 0 },
      },
    });
  });

  it('records a capture that raced the cancellation, so the refund that follows makes sense', () => {
    const order = aCancelledOrder();
    const event = anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 1 });
    expect(applyEvent(order, event)).toEqual({
      outcome: 'applied',
      changes: { status: 'CANCELLED', payment: { ...order.payment, status: 'CAPTURED', attempts: 1 } },
    });
  });

  it('records the refund of a cancelled order and keeps it cancelled', () => {
    const order = aCancelledOrder();
    const event = anEvent(EVENTS.PaymentRefunded.type, order.orderId, { refundId: 'ref_9', amount: 2500 });
    expect(applyEvent(order, event)).toEqual({
      outcome: 'applied',
      changes: {
        status: 'CANCELLED',
        refund: { refundId: 'ref_9', amount: 2500 },
        payment: { method: 'card', status: 'REFUNDED', attempts: 1 },
      },
    });
  });

  it('leaves the order it is given untouched', () => {
    const order = anOrder();
    const before = structuredClone(order);
    applyEvent(order, anEvent(EVENTS.PaymentCaptured.type, order.orderId));
    expect(order).toEqual(before);
  });

  it.each(ORDER_STATUSES)(
    'allows cancellation from %s only before the order is invoiced or ended',
    (status) => {
      expect(isCancellable(status)).toBe(status === 'PENDING_PAYMENT' || status === 'PAID');
    },
  );
});

describe('the order view', () => {
  it('shows status, total, payment and the invoice id once issued', () => {
    const order = anOrder({
      status: 'INVOICED',
      payment: { method: 'card', status: 'CAPTURED', attempts: 3 },
      invoiceId: 'inv_1',
    });
    expect(orderView(order)).toEqual({
      orderId: order.orderId,
      customerId: order.customerId,
      status: 'INVOICED',
      currency: 'EUR',
      items: [{ sku: 'BOOK-42', quantity: 2, unitPrice: 1250 }],
      total: 2500,
      payment: { method: 'card', status: 'CAPTURED', attempts: 3 },
      invoiceId: 'inv_1',
      createdAt: order.createdAt,
      updatedAt: order.updatedAt,
    });
  });

  it('shows why a payment failed', () => {
    const order = anOrder({
      status: 'PAYMENT_FAILED',
      payment: { method: 'card', status: 'FAILED', attempts: 4, reason: 'provider_unavailable' },
    });
    expect(orderView(order).payment).toEqual({
      method: 'card',
      status: 'FAILED',
      attempts: 4,
      reason: 'provider_unavailable',
    });
  });

  it('shows how a failed payment was compensated', () => {
    const order = anOrder({
      status: 'PAYMENT_FAILED',
      payment: {
        method: 'card',
        status: 'FAILED',
        attempts: 1,
        reason: 'provider_unavailable',
        compensation: { action: 'refund_failed' },
      },
    });
    expect(orderView(order).payment).toEqual({
      method: 'card',
      status: 'FAILED',
      attempts: 1,
      reason: 'provider_unavailable',
      compensation: { action: 'refund_failed' },
    });
  });

  it.each(ORDER_STATUSES)('answers an order %s in the shape of the API contract', (status) => {
    const order = anOrder({
      status,
      payment: { method: 'card', status: 'FAILED', attempts: 2, reason: 'card_declined' },
      invoiceId: deterministicId('inv', 'ord_1'),
      refund: { refundId: 'ref_1', amount: 2500 },
    });
    expect(orderSchema.safeParse(orderView(order)).error).toBeUndefined();
  });

  it('shows a refund but not the cancellation bookkeeping', () => {
    const view = orderView(aCancelledOrder({ refund: { refundId: 'ref_1', amount: 2500 } }));
    expect(view.refund).toEqual({ refundId: 'ref_1', amount: 2500 });
    for (const bookkeeping of ['cancelledFrom', 'cancelledAt', 'cancellationPublishedAt']) {
      expect(view).not.toHaveProperty(bookkeeping);
    }
  });
});
