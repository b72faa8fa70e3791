import { EVENTS } from '@shop/contracts/events';
import { createEvent } from '@shop/shared/messages';
import { busEvent, lambdaContext, sqsEvent } from '@shop/testing/events';
import { scanTable } from '@shop/testing/resources';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import type { OrderEvent } from '../src/domain/order-events.ts';
import { aCancelledOrder, anEvent, anOrder } from './builders.ts';
import { createOrdersTable } from './handler-support.ts';

const ordersTable = await createOrdersTable();
const { handler } = await import('../src/handlers/apply-order-event.ts');
const { ordersStore } = await import('../src/adapters/orders-store.ts');

/** The order-events queue delivering these EventBridge events (or raw bodies) in one batch. */
function deliver(...messages: (OrderEvent | string)[]) {
  const batch = sqsEvent(
    messages.map((message) =>
      typeof message === 'string' ? message : busEvent(message, 'serverless-commerce.payments'),
    ),
  );
  return { batch, result: handler(batch, lambdaContext()) };
}

async function deliverAll(...messages: (OrderEvent | string)[]) {
  return deliver(...messages).result;
}

const messageIds = (batch: SQSEvent, ...indexes: number[]) =>
  indexes.map((index) => ({ itemIdentifier: batch.Records[index]?.messageId }));

async function stored(order: Order): Promise<Order> {
  await ordersStore.create(order);
  return order;
}

/** The whole item, with the attributes only the store sees. */
async function itemOf(orderId: string): Promise<Record<string, unknown> | undefined> {
  return (await scanTable(ordersTable)).find((item) => item.orderId === orderId);
}

describe('applying payment and invoice events from the order-events queue', () => {
  it('moves a pending order to PAID on PaymentCaptured and records the event id', async () => {
    const order = await stored(anOrder());
    const captured = anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 3 });

    expect(await deliverAll(captured)).toEqual({ batchItemFailures: [] });

    const item = await itemOf(order.orderId);
    expect(item).toEqual({
      ...order,
      status: 'PAID',
      payment: { method: 'card', status: 'CAPTURED', attempts: 3 },
      updatedAt: expect.any(String),
      processedEventIds: new Set([captured.id]),
    });
    expect(item?.updatedAt).not.toBe(order.updatedAt);
  });

  it('moves a pending order to PAYMENT_FAILED with the reason and the attempts', async () => {
    const order = await stored(anOrder());

    await deliverAll(
      anEvent(EVENTS.PaymentFailed.type, order.orderId, { reason: 'provider_unavailable', attempts: 4 }),
    );

    expect(await ordersStore.get(order.orderId)).toEqual(
      expect.objectContaining({
        status: 'PAYMENT_FAILED',
        payment: { method: 'card', status: 'FAILED', reason: 'provider_unavailable', attempts: 4 },
      }),
    );
  });

  it('moves a paid order to INVOICED with the invoice id', async () => {
    const order = await stored(anOrder({ status: 'PAID' }));

    await deliverAll(
      anEvent(EVENTS.InvoiceIssued.type, order.orderId, { invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' }),
    );

    expect(await ordersStore.get(order.orderId)).toEqual(
      expect.objectContaining({ status: 'INVOICED', invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' }),
    );
  });

  it('records the refund of a cancelled order', async () => {
    const order = await stored(aCancelledOrder());

    await deliverAll(
      anEvent(EVENTS.PaymentRefunded.type, order.orderId, { refundId: 'ref_7', amount: 2500 }),
    );

    expect(await ordersStore.get(order.orderId)).toEqual(
      expect.objectContaining({
        status: 'CANCELLED',
        refund: { refundId: 'ref_7', amount: 2500 },
        payment: { method: 'card', status: 'REFUNDED', attempts: 1 },
      }),
    );
  });

  it('changes nothing when the same event is delivered a second time', async () => {
    const order = await stored(anOrder());
    const captured = anEvent(EVENTS.PaymentCaptured.type, order.orderId);
    await deliverAll(captured);
    const afterFirst = await itemOf(order.orderId);

    expect(await deliverAll(captured)).toEqual({ batchItemFailures: [] });

    expect(await itemOf(order.orderId)).toEqual(afterFirst);
  });

  it('changes nothing for a duplicate inside the same batch', async () => {
    const order = await stored(anOrder());
    const captured = anEvent(EVENTS.PaymentCaptured.type, order.orderId, { attempts: 1 });

    expect(await deliverAll(captured, captured)).toEqual({ batchItemFailures: [] });

    const item = await itemOf(order.orderId);
    expect(item?.processedEventIds).toEqual(new Set([captured.id]));
    expect(item?.ignoredEvents).toBeUndefined();
  });

  it('records an event that does not apply in ignoredEvents and acknowledges it', async () => {
    const order = await stored(anOrder({ status: 'PAYMENT_FAILED' }));
    const late = anEvent(EVENTS.PaymentCaptured.type, order.orderId);

    expect(await deliverAll(late)).toEqual({ batchItemFailures: [] });

    expect(await itemOf(order.orderId)).toEqual({
      ...order,
      processedEventIds: new Set([late.id]),
      ignoredEvents: [
        {
          eventId: late.id,
          type: EVENTS.PaymentCaptured.type,
          status: 'PAYMENT_FAILED',
          at: expect.any(String),
        },
      ],
    });
  });

  it('keeps only the last 20 ignored events of an order', async () => {
    const order = await stored(anOrder({ status: 'INVOICED' }));
    const late = Array.from({ length: 23 }, () => anEvent(EVENTS.PaymentFailed.type, order.orderId));

    expect(await deliverAll(...late)).toEqual({ batchItemFailures: [] });

    const item = await itemOf(order.orderId);
    const ignoredEvents = (item?.ignoredEvents ?? []) as { eventId: string }[];
    expect(ignoredEvents.map((ignored) => ignored.eventId)).toEqual(late.slice(3).map((event) => event.id));
    expect(item?.processedEventIds).toEqual(new Set(late.map((event) => event.id)));
    expect(item?.status).toBe('INVOICED');
  });

  it('reports only the poison messages of a batch and applies the others', async () => {
    const paid = await stored(anOrder());
    const failed = await stored(anOrder());
    const unknownOrder = anEvent(EVENTS.PaymentCaptured.type, 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T');
    const wrongType = createEvent(
      EVENTS.OrderPlaced,
      { orderId: paid.orderId, customerId: 'c', total: 1, currency: 'EUR', paymentMethod: 'card' },
      { correlationId: 'c' },
    ) as unknown as OrderEvent;
    const invalid = {
      ...anEvent(EVENTS.PaymentFailed.type, failed.orderId),
      data: { orderId: failed.orderId },
    } as OrderEvent;

    const { batch, result } = deliver(
      anEvent(EVENTS.PaymentCaptured.type, paid.orderId),
      `{"detail": {"type": "${EVENTS.PaymentCaptured.type}",`,
      unknownOrder,
      anEvent(EVENTS.PaymentFailed.type, failed.orderId),
      wrongType,
      invalid,
    );

    expect(await result).toEqual({ batchItemFailures: messageIds(batch, 1, 2, 4, 5) });
    expect((await ordersStore.get(paid.orderId))?.status).toBe('PAID');
    expect((await ordersStore.get(failed.orderId))?.status).toBe('PAYMENT_FAILED');
    expect(await itemOf(unknownOrder.data.orderId)).toBeUndefined();
  });
});
