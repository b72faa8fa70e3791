import { describe, expect, it } from 'vitest';
import { awaitBankTransfer } from '../src/domain/await-bank-transfer.ts';
import type { PaymentRecord } from '../src/domain/payment.ts';
import type { TaskCallbacks } from '../src/domain/ports.ts';
import { aPayment } from './builders.ts';
import { InMemoryPaymentsStore } from './in-memory-payments-store.ts';

const now = new Date('2025-03-12T10:00:00.000Z');

/** The ports of one payment, with the task tokens the use case answered. */
function portsOf(payment: PaymentRecord) {
  const store = new InMemoryPaymentsStore(payment);
  const answered: { taskToken: string; output: Record<string, unknown> }[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async (taskToken, output) => {
      answered.push({ taskToken, output });
      return 'delivered';
    },
    fail: async () => 'delivered',
  };
  return { deps: { store, callbacks, now }, store, answered };
}

describe('awaiting a bank transfer', () => {
  it('keeps the task token of a started transfer and marks it AWAITING_TRANSFER', async () => {
    const payment = aPayment({ method: 'bank_transfer' });
    const { deps, store, answered } = portsOf(payment);

    await expect(awaitBankTransfer({ orderId: payment.orderId, taskToken: 'token-1' }, deps)).resolves.toBe(
      'awaiting',
    );
    expect(await store.get(payment.orderId)).toEqual({
      ...payment,
      status: 'AWAITING_TRANSFER',
      taskToken: 'token-1',
      updatedAt: now.toISOString(),
    });
    expect(answered).toEqual([]);
  });

  it('keeps the newest token when the step is invoked again', async () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'token-1' });
    const { deps, store } = portsOf(payment);

    await expect(awaitBankTransfer({ orderId: payment.orderId, taskToken: 'token-2' }, deps)).resolves.toBe(
      'awaiting',
    );
    expect((await store.get(payment.orderId))?.taskToken).toBe('token-2');
  });

  it('answers its own new token at once when the transfer was confirmed before the step ran again', async () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'TRANSFER_CONFIRMED', taskToken: 'token-1' });
    const { deps, store, answered } = portsOf(payment);

    await expect(awaitBankTransfer({ orderId: payment.orderId, taskToken: 'token-2' }, deps)).resolves.toBe(
      'already-confirmed',
    );
    expect(answered).toEqual([
      { taskToken: 'token-2', output: { orderId: payment.orderId, confirmedAt: payment.updatedAt } },
    ]);
    expect(await store.get(payment.orderId)).toEqual(payment);
  });

  it.each([
    ['a payment cancelled before the wait began', aPayment({ method: 'bank_transfer', status: 'CANCELLED' })],
    ['a payment that failed', aPayment({ method: 'bank_transfer', status: 'FAILED' })],
  ])('refuses %s, answers no token and leaves it as it was', async (_case, payment) => {
    const { deps, store, answered } = portsOf(payment);

    await expect(
      awaitBankTransfer({ orderId: payment.orderId, taskToken: 'token-1' }, deps),
    ).rejects.toMatchObject({ name: 'PaymentStateConflictError' });
    expect(await store.get(payment.orderId)).toEqual(payment);
    expect(answered).toEqual([]);
  });

  it('refuses an order that has no payment', async () => {
    const { deps } = portsOf(aPayment());

    await expect(
      awaitBankTransfer({ orderId: 'ord_without_payment', taskToken: 'token-1' }, deps),
    ).rejects.toMatchObject({ name: 'PaymentStateConflictError' });
  });
});
