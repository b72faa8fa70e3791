import { EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import {
  decideCancellation,
  InvalidPaymentRecordError,
  PaymentNotSettledError,
  parsePaymentRecord,
  paymentRefunded,
} from '../src/domain/payment.ts';
import { aPayment } from './builders.ts';

describe('what cancelling an order does to its payment', () => {
  it('leaves a tombstone when no payment exists yet', () => {
    expect(decideCancellation(undefined)).toEqual({ kind: 'write-tombstone' });
  });

  it('cancels a bank transfer that is awaited, with the token the workflow waits on', () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'token-1' });
    expect(decideCancellation(payment)).toEqual({ kind: 'cancel-transfer', taskToken: 'token-1' });
  });

  it('refunds a captured payment in full', () => {
    const payment = aPayment({ status: 'CAPTURED', captureId: 'cap_1', amount: 4_250, currency: 'EUR' });
    expect(decideCancellation(payment)).toEqual({
      kind: 'refund',
      captureId: 'cap_1',
      amount: 4_250,
      currency: 'EUR',
    });
  });

  it('publishes the refund again for a refunded payment, dated when it was refunded', () => {
    const payment = aPayment({
      status: 'REFUNDED',
      captureId: 'cap_1',
      refundId: 'ref_1',
      updatedAt: '2025-03-11T09:00:00.000Z',
    });
    expect(decideCancellation(payment)).toEqual({
      kind: 'republish-refund',
      refund: { orderId: payment.orderId, refundId: 'ref_1', amount: 4_250, currency: 'EUR' },
      refundedAt: new Date('2025-03-11T09:00:00.000Z'),
    });
  });

  it('does nothing for a failed payment', () => {
    expect(decideCancellation(aPayment({ status: 'FAILED', reason: 'card_declined' }))).toEqual({
      kind: 'nothing-to-do',
    });
  });

  it('does nothing for a cancellation tombstone', () => {
    const tombstone = {
      orderId: 'ord_1',
      status: 'CANCELLED',
      attempts: 0,
      updatedAt: '2025-03-10T00:00:00Z',
    };
    expect(decideCancellation(parsePaymentRecord(tombstone))).toEqual({ kind: 'nothing-to-do' });
  });

  it('fails the waiting transfer again for a cancelled transfer, in case a crash followed the write', () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'CANCELLED', taskToken: 'token-1' });
    expect(decideCancellation(payment)).toEqual({ kind: 'repeat-transfer-failure', taskToken: 'token-1' });
  });

  it.each(['STARTED', 'TRANSFER_CONFIRMED'] as const)('waits for a %s payment to settle', (status) => {
    expect(() => decideCancellation(aPayment({ status, taskToken: 'token-1' }))).toThrow(
      PaymentNotSettledError,
    );
  });

  it('refuses to refund a captured payment whose record lacks the capture id', () => {
    expect(() => decideCancellation(aPayment({ status: 'CAPTURED' }))).toThrow(InvalidPaymentRecordError);
  });
});

describe('a stored payment record', () => {
  it('is accepted as the workflow writes it', () => {
    const item = { ...aPayment({ status: 'CAPTURED', captureId: 'cap_1', authorizationId: 'auth_1' }) };
    expect(parsePaymentRecord(item)).toEqual(item);
  });

  it('is refused with the fields that are wrong when its shape drifted', () => {
    const item = { ...aPayment(), status: 'PAID', attempts: '1' };
    expect(() => parsePaymentRecord(item)).toThrow(/status, attempts/);
  });
});

describe('the PaymentRefunded event', () => {
  it('has the same id every time it is published for an order', () => {
    const refund = { orderId: 'ord_1', refundId: 'ref_1', amount: 4_250, currency: 'EUR' as const };
    const refundedAt = new Date('2025-03-11T09:00:00.000Z');
    const first = paymentRefunded(refund, { correlationId: 'cor_1', refundedAt });
    const again = paymentRefunded(refund, { correlationId: 'cor_1', refundedAt });
    expect(first).toEqual(again);
    expect(first).toMatchObject({
      id: deterministicId('evt', EVENTS.PaymentRefunded.type, 'ord_1'),
      type: EVENTS.PaymentRefunded.type,
      occurredAt: '2025-03-11T09:00:00.000Z',
      data: refund,
    });
  });
});
