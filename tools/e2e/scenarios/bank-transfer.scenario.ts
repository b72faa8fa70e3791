import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import {
  bankPays,
  customer,
  eventually,
  paymentItem,
  recordJourney,
  settleDeadlineMs,
  settled,
  transferWaitMs,
} from './support.ts';

/** An order paid by bank transfer: the workflow waits for the bank's signed notice, or a cancel. */
const bob = customer('transfers');

async function awaitingTransfer(orderId: string): Promise<void> {
  await eventually(
    async () => (await paymentItem(orderId))?.status,
    (status) => status === 'AWAITING_TRANSFER',
    await settleDeadlineMs(),
  );
}

describe.concurrent('a bank transfer', () => {
  it('waits in PENDING_PAYMENT until the signed webhook confirms it, then is invoiced', async (context) => {
    const placedAt = Date.now();
    const placed = await bob.placeOrder({ method: 'bank_transfer' });
    const orderId = placed.body.orderId;
    await awaitingTransfer(orderId);
    expect((await bob.getOrder(orderId)).body.status).toBe('PENDING_PAYMENT');
    // The bank pays within the wait the workflow's definition gives it, or it times the order out.
    expect(Date.now() - placedAt).toBeLessThan(await transferWaitMs());

    const notice = { orderId, amount: 2999, currency: 'EUR', reference: `trf_${orderId}` };
    const confirmed = await bankPays(notice);
    expect(confirmed).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    expect((await settled(bob, orderId, ['INVOICED', 'PAYMENT_FAILED'])).status).toBe('INVOICED');
    // The bank sends the same notice again: the same answer. Another transfer for it: nothing waits.
    expect(await bankPays(notice)).toEqual(confirmed);
    expect((await bankPays({ ...notice, reference: `trf_again_${orderId}` })).status).toBe(409);
    await recordJourney(context, 'confirmed', bob, orderId, EVENTS.InvoiceIssued.type);
  });

  it('cancelled while it is awaited ends CANCELLED, the workflow stopped without a capture', async (context) => {
    const placed = await bob.placeOrder({ method: 'bank_transfer' });
    const orderId = placed.body.orderId;
    await awaitingTransfer(orderId);

    expect((await bob.cancel(orderId)).status).toBe(202);
    const order = await eventually(
      () => bob.getOrder(orderId),
      (response) => response.body.payment.status === 'FAILED',
      await settleDeadlineMs(),
    );
    expect(order.body).toMatchObject({
      status: 'CANCELLED',
      payment: { status: 'FAILED', reason: 'cancelled' },
    });
    expect((await paymentItem(orderId))?.status).toBe('CANCELLED');
    expect((await bob.cancel(orderId)).status).toBe(409);
    await recordJourney(context, 'cancelled while awaited', bob, orderId, EVENTS.PaymentFailed.type);
  });
});
