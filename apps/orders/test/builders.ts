import { randomUUID } from 'node:crypto';
import { EVENTS, type EventData } from '@shop/contracts/events';
import { newId } from '@shop/shared/ids';
import { createEvent } from '@shop/shared/messages';
import type { Order } from '../src/domain/order.ts';
import type { OrderEvent, OrderEventType } from '../src/domain/order-events.ts';

/** A customer id as the sign-in token's `sub` carries it: a Cognito user's UUID. */
export function aCustomerId(): string {
  return randomUUID();
}

/** A valid POST /orders body: two lines, 2 × 12.50 + 1 × 5.00 = 30.00 EUR, paid by card. */
export function anOrderRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'EUR',
    items: [
      { sku: 'BOOK-42', quantity: 2, unitPrice: 1250 },
      { sku: 'mug.blue_1', quantity: 1, unitPrice: 500 },
    ],
    payment: { method: 'card', token: 'tok_visa' },
    ...overrides,
  };
}

/** An order line for a request, with fields to override or (as `undefined`) to drop. */
export function aLine(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return withoutUndefined({ sku: 'BOOK-42', quantity: 1, unitPrice: 1250, ...overrides });
}

export function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}

export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: newId('ord'),
    customerId: aCustomerId(),
    status: 'PENDING_PAYMENT',
    currency: 'EUR',
    items: [{ sku: 'BOOK-42', quantity: 2, unitPrice: 1250 }],
    total: 2500,
    payment: { method: 'card', status: 'PENDING', attempts: 0 },
    createdAt: '2025-03-10T14:15:02.000Z',
    updatedAt: '2025-03-10T14:15:02.000Z',
    ...overrides,
  };
}

/** A cancelled order, as cancel-order leaves it. */
export function aCancelledOrder(overrides: Partial<Order> = {}): Order {
  return anOrder({
    status: 'CANCELLED',
    cancelledFrom: 'PAID',
    cancelledAt: '2025-03-10T14:20:00.000Z',
    cancellationPublishedAt: '2025-03-10T14:20:00.100Z',
    payment: { method: 'card', status: 'CAPTURED', attempts: 1 },
    ...overrides,
  });
}

const sampleData = {
  PaymentCaptured: (orderId: string) => ({
    orderId,
    captureId: 'cap_1',
    amount: 2500,
    currency: 'EUR',
    attempts: 1,
  }),
  PaymentFailed: (orderId: string) => ({ orderId, reason: 'card_declined', attempts: 1 }),
  InvoiceIssued: (orderId: string) => ({ orderId, invoiceId: 'inv_1', total: 2500, currency: 'EUR' }),
  PaymentRefunded: (orderId: string) => ({ orderId, refundId: 'ref_1', amount: 2500, currency: 'EUR' }),
} satisfies { [T in OrderEventType]: (orderId: string) => EventData<T> };

/** An event for an order, with sample data that can be overridden. */
export function anEvent<T extends OrderEventType>(
  type: T,
  orderId: string,
  data: Partial<EventData<T>> = {},
): OrderEvent {
  return createEvent(EVENTS[type], { ...sampleData[type](orderId), ...data } as EventData<T>, {
    correlationId: randomUUID(),
  }) as OrderEvent;
}
