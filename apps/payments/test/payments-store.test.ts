import { describe, expect, it } from 'vitest';
import { aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

const table = await createPaymentsTable();
const { paymentsStore } = await import('#adapters/payments-store');
const at = new Date('2025-03-12T08:00:00.000Z');

describe('the payments store', () => {
  it('reads a payment back as it was written, and nothing for an unknown order', async () => {
    const payment = await table.seed(aPayment({ status: 'CAPTURED', captureId: 'cap_1' }));
    await expect(paymentsStore.get(payment.orderId)).resolves.toEqual(payment);
    await expect(paymentsStore.get('ord_unknown')).resolves.toBeUndefined();
  });

  it('refuses to act on a stored item whose shape drifted', async () => {
    const { orderId } = await table.seed({ ...aPayment(), status: 'PAID' });
    await expect(paymentsStore.get(orderId)).rejects.toMatchObject({ name: 'InvalidPaymentRecordError' });
  });

  it('counts attempts one by one, and only for a STARTED payment', async () => {
    const { orderId } = await table.seed(aPayment());
    await expect(paymentsStore.recordAttempt(orderId, at)).resolves.toBe(1);
    await expect(paymentsStore.recordAttempt(orderId, at)).resolves.toBe(2);
    await expect(paymentsStore.recordAttempt('ord_missing', at)).resolves.toBeUndefined();
    expect(await table.itemsOf('ord_missing')).toEqual([]);
  });

  it('changes the status only from an expected status and with the expected task token', async () => {
    const payment = await table.seed(
      aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'token-1' }),
    );
    const confirm = { from: ['AWAITING_TRANSFER'], to: 'TRANSFER_CONFIRMED', at } as const;
    await expect(
      paymentsStore.changeStatus(payment.orderId, { ...confirm, expectedTaskToken: 'token-0' }),
    ).resolves.toBe(false);
    await expect(
      paymentsStore.changeStatus(payment.orderId, { ...confirm, from: ['STARTED'] }),
    ).resolves.toBe(false);
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    await expect(
      paymentsStore.changeStatus(payment.orderId, { ...confirm, expectedTaskToken: 'token-1' }),
    ).resolves.toBe(true);
    expect(await table.itemsOf(payment.orderId)).toEqual([
      { ...payment, status: 'TRANSFER_CONFIRMED', updatedAt: at.toISOString() },
    ]);
  });

  it('writes a tombstone only where no payment exists', async () => {
    const payment = await table.seed(aPayment());
    await expect(paymentsStore.putTombstone(payment.orderId, at)).resolves.toBe(false);
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    await expect(paymentsStore.putTombstone('ord_tombstone', at)).resolves.toBe(true);
    expect(await table.itemsOf('ord_tombstone')).toEqual([
      {
        orderId: 'ord_tombstone',
        status: 'CANCELLED',
        attempts: 0,
        reason: 'cancelled',
        updatedAt: at.toISOString(),
      },
    ]);
  });
});
