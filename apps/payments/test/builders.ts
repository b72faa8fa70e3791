import type { BankTransferNotice } from '@shop/contracts/bank-webhook';
import { COMMANDS, type CommandOf } from '@shop/contracts/commands';
import { EVENTS, type EventOf } from '@shop/contracts/events';
import { newId } from '@shop/shared/ids';
import { createCommand, createEvent } from '@shop/shared/messages';
import type { PaymentRecord } from '../src/domain/payment.ts';

/** A card payment as the workflow records it when it starts; every test gets its own order. */
export function aPayment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    orderId: newId('ord'),
    status: 'STARTED',
    method: 'card',
    amount: 4_250,
    currency: 'EUR',
    attempts: 0,
    updatedAt: '2025-03-10T14:15:02.000Z',
    ...overrides,
  };
}

export function aRequestPayment(
  data: Partial<CommandOf<typeof COMMANDS.RequestPayment.type>['data']> = {},
): CommandOf<typeof COMMANDS.RequestPayment.type> {
  return createCommand(
    COMMANDS.RequestPayment,
    {
      orderId: newId('ord'),
      customerId: 'cus_1',
      amount: 4_250,
      currency: 'EUR',
      items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 2_125 }],
      payment: { method: 'card', token: 'tok_visa' },
      ...data,
    },
    { correlationId: newId('cor') },
  );
}

export function anOrderCancelled(orderId: string): EventOf<typeof EVENTS.OrderCancelled.type> {
  return createEvent(
    EVENTS.OrderCancelled,
    { orderId, previousStatus: 'PAID' },
    { correlationId: newId('cor') },
  );
}

/** A notice of a transfer that pays an order in full. */
export function aBankTransferNotice(
  payment: { orderId: string; amount?: number; currency?: string },
  overrides: Partial<BankTransferNotice> = {},
): BankTransferNotice {
  return {
    orderId: payment.orderId,
    amount: payment.amount ?? 4_250,
    currency: (payment.currency ?? 'EUR') as BankTransferNotice['currency'],
    reference: newId('trf'),
    paidAt: '2025-03-12T09:30:00Z',
    ...overrides,
  };
}
