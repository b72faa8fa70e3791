import type { BankTransferNotice } from '@shop/contracts/bank-webhook';
import { describe, expect, it } from 'vitest';
import {
  BankTransferMismatchError,
  confirmBankTransfer,
  parseBankTransferNotice,
} from '../src/domain/confirm-bank-transfer.ts';
import type { PaymentRecord } from '../src/domain/payment.ts';
import type { PaymentsStore, TaskCallbacks } from '../src/domain/ports.ts';
import { aBankTransferNotice, aPayment } from './builders.ts';

const awaiting = () =>
  aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'token-1' });
const now = new Date('2025-03-12T10:00:00.000Z');
/** A transfer this notice confirmed, in the status it has reached since. */
const confirmedBy = (notice: BankTransferNotice, status: PaymentRecord['status']) =>
  aPayment({
    orderId: notice.orderId,
    method: 'bank_transfer',
    status,
    taskToken: 'token-1',
    transferReference: notice.reference,
  });

/** A Payments table of one payment, whose conditional write can be made to lose a race. */
function storeOf(payment: PaymentRecord, options: { racedBy?: Partial<PaymentRecord> } = {}) {
  let stored = { ...payment };
  const writes: unknown[] = [];
  const store: PaymentsStore = {
    get: async (orderId) => (orderId === stored.orderId ? { ...stored } : undefined),
    recordAttempt: async () => undefined,
    changeStatus: async (_orderId, change) => {
      if (options.racedBy) {
        stored = { ...stored, ...options.racedBy };
        return false;
      }
      writes.push(change);
      stored = { ...stored, ...change.set, status: change.to };
      return true;
    },
    putTombstone: async () => false,
  };
  return { store, writes };
}
function callbacksAnswering(delivery: 'delivered' | 'not-waiting') {
  const answered: string[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async (taskToken) => {
      answered.push(taskToken);
      return delivery;
    },
    fail: async () => delivery,
  };
  return { callbacks, answered };
}

describe('a bank transfer notice', () => {
  it('is accepted with a date-time in any offset', () => {
    const notice = aBankTransferNotice(aPayment(), { paidAt: '2025-03-12T10:30:00+01:00' });
    expect(parseBankTransferNotice(notice)).toEqual(notice);
  });

  it.each([
    ['an amount of nothing', { amount: 0 }, 'amount'],
    ['an unknown currency', { currency: 'XTS' }, 'currency'],
    ['a reference of 65 characters', { reference: 'R'.repeat(65) }, 'reference'],
    ['an empty reference', { reference: '' }, 'reference'],
    ['a date without its time', { paidAt: '2025-03-12' }, 'paidAt'],
    ['an id that is not an order id', { orderId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T' }, 'orderId'],
  ])('is refused with %s, naming the field', (_case, change, path) => {
    const notice = { ...aBankTransferNotice(aPayment()), ...change };
    expect(() => parseBankTransferNotice(notice)).toThrow(
      expect.objectContaining({ name: 'ValidationError', details: [expect.objectContaining({ path })] }),
    );
  });
});

describe('confirming a bank transfer', () => {
  it('records the reference and payment date with the confirmation, and answers the waiting task', async () => {
    const payment = awaiting();
    const notice = aBankTransferNotice(payment);
    const { store, writes } = storeOf(payment);
    const { callbacks, answered } = callbacksAnswering('delivered');
    await expect(confirmBankTransfer(notice, { store, callbacks, now })).resolves.toEqual({
      orderId: payment.orderId,
      status: 'TRANSFER_CONFIRMED',
    });
    expect(writes).toEqual([
      {
        from: ['AWAITING_TRANSFER'],
        to: 'TRANSFER_CONFIRMED',
        expectedTaskToken: 'token-1',
        set: { transferReference: notice.reference, paidAt: notice.paidAt },
        at: now,
      },
    ]);
    expect(answered).toEqual(['token-1']);
  });

  it('refuses an overpayment as a mismatch that says what was expected and what was received', async () => {
    const payment = awaiting();
    const { store, writes } = storeOf(payment);
    const { callbacks } = callbacksAnswering('delivered');
    const confirming = confirmBankTransfer(aBankTransferNotice(payment, { amount: 5_000 }), {
      store,
      callbacks,
      now,
    });
    await expect(confirming).rejects.toBeInstanceOf(BankTransferMismatchError);
    await expect(confirming).rejects.toMatchObject({
      code: 'conflict',
      expected: { amount: 4_250, currency: 'EUR' },
      received: { amount: 5_000, currency: 'EUR' },
    });
    expect(writes).toEqual([]);
  });

  it('answers a repeated notice as a repeat when the workflow already had the first answer', async () => {
    const notice = aBankTransferNotice(awaiting());
    const { store, writes } = storeOf(confirmedBy(notice, 'TRANSFER_CONFIRMED'));
    const { callbacks, answered } = callbacksAnswering('not-waiting');
    await expect(confirmBankTransfer(notice, { store, callbacks, now })).resolves.toMatchObject({
      status: 'TRANSFER_CONFIRMED',
    });
    expect([writes, answered]).toEqual([[], ['token-1']]);
  });

  it('refuses a repeated notice once the workflow gave the transfer up (FAILED)', async () => {
    const notice = aBankTransferNotice(awaiting());
    const { store } = storeOf(confirmedBy(notice, 'FAILED'));
    const { callbacks, answered } = callbacksAnswering('delivered');
    await expect(confirmBankTransfer(notice, { store, callbacks, now })).rejects.toMatchObject({
      name: 'PaymentStateConflictError',
    });
    expect(answered).toEqual([]);
  });

  it('answers a notice delivered twice at once as a repeat when the other delivery recorded it first', async () => {
    const payment = awaiting();
    const notice = aBankTransferNotice(payment);
    const racedBy = { status: 'TRANSFER_CONFIRMED' as const, transferReference: notice.reference };
    const { store } = storeOf(payment, { racedBy });
    const { callbacks } = callbacksAnswering('not-waiting');
    await expect(confirmBankTransfer(notice, { store, callbacks, now })).resolves.toMatchObject({
      status: 'TRANSFER_CONFIRMED',
    });
  });

  it('refuses a notice that lost its race to a cancellation', async () => {
    const payment = awaiting();
    const { store } = storeOf(payment, { racedBy: { status: 'CANCELLED' } });
    const { callbacks, answered } = callbacksAnswering('delivered');
    await expect(
      confirmBankTransfer(aBankTransferNotice(payment), { store, callbacks, now }),
    ).rejects.toMatchObject({ name: 'PaymentStateConflictError', code: 'conflict' });
    expect(answered).toEqual([]);
  });
});
