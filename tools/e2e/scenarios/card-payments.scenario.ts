import { EVENTS } from '@shop/contracts/events';
import { describe, expect, inject, it } from 'vitest';
import { customer, paymentItem, recordJourney, settled } from './support.ts';

/**
 * Each test card's path through the stage, as a customer sees it through the API and the payment
 * is recorded in the Payments table. Concurrent: on AWS the workflow's real retry intervals apply,
 * and each scenario waits only as long as the target's own definition says it may take.
 */
const alice = customer('cards');
const slow = inject('e2eSkipSlow');
const FINAL = ['INVOICED', 'PAYMENT_FAILED'];

describe.concurrent('a card payment', () => {
  it('with tok_visa is paid and invoiced, and its invoice can be read', async (context) => {
    const placed = await alice.placeOrder({ method: 'card', token: 'tok_visa' });
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING_PAYMENT', total: 2999, currency: 'EUR' });
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.orderId}`);

    const order = await settled(alice, placed.body.orderId, FINAL);
    expect(order).toMatchObject({ status: 'INVOICED', payment: { status: 'CAPTURED', attempts: 1 } });
    expect(order.customerId).toBe(await alice.id());
    const invoice = await alice.call('GET', `/invoices/${order.invoiceId}`);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({ orderId: order.orderId, total: 2999, tax: 500, subtotal: 2499 });
    expect(invoice.body.lines).toHaveLength(2);
    const journey = await recordJourney(context, 'tok_visa', alice, order.orderId, EVENTS.InvoiceIssued.type);
    expect(journey.events).toEqual([
      EVENTS.OrderPlaced.type,
      EVENTS.PaymentCaptured.type,
      EVENTS.InvoiceIssued.type,
    ]);
  });

  it('with tok_declined fails with the reason card_declined and gets no invoice', async (context) => {
    const placed = await alice.placeOrder({ method: 'card', token: 'tok_declined' });
    const order = await settled(alice, placed.body.orderId, FINAL);
    expect(order).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', reason: 'card_declined' },
    });
    expect(order.invoiceId).toBeUndefined();
    await recordJourney(context, 'tok_declined', alice, order.orderId, EVENTS.PaymentFailed.type);
  });

  it.skipIf(slow)(
    'with tok_flaky is invoiced after the workflow retried the provider, its attempts shown',
    async (context) => {
      const placed = await alice.placeOrder({ method: 'card', token: 'tok_flaky' });
      const order = await settled(alice, placed.body.orderId, FINAL);
      expect(order).toMatchObject({ status: 'INVOICED', payment: { status: 'CAPTURED', attempts: 3 } });
      await recordJourney(context, 'tok_flaky', alice, order.orderId, EVENTS.InvoiceIssued.type);
    },
  );

  it.skipIf(slow)(
    'with tok_outage fails as provider_unavailable once the retries run out, nothing to refund',
    async (context) => {
      const placed = await alice.placeOrder({ method: 'card', token: 'tok_outage' });
      const order = await settled(alice, placed.body.orderId, FINAL);
      const compensation = { action: 'none_needed' };
      expect(order).toMatchObject({
        status: 'PAYMENT_FAILED',
        payment: { status: 'FAILED', reason: 'provider_unavailable', attempts: 5, compensation },
      });
      expect(order.invoiceId).toBeUndefined();
      expect(await paymentItem(order.orderId)).toMatchObject({ status: 'FAILED', compensation });
      await recordJourney(context, 'tok_outage', alice, order.orderId, EVENTS.PaymentFailed.type);
    },
  );

  it.skipIf(slow)(
    'with tok_capture_timeout has its unanswered capture refunded, then fails with the refund recorded',
    async (context) => {
      const placed = await alice.placeOrder({ method: 'card', token: 'tok_capture_timeout' });
      const order = await settled(alice, placed.body.orderId, FINAL);
      // The provider refunds the capture the order would have had, made or not.
      const compensation = { action: 'refunded', refundId: expect.stringMatching(/^ref_[0-9A-Z]{26}$/) };
      expect(order).toMatchObject({
        status: 'PAYMENT_FAILED',
        payment: { status: 'FAILED', reason: 'provider_unavailable', attempts: 1, compensation },
      });
      expect(order.invoiceId).toBeUndefined();
      expect(await paymentItem(order.orderId)).toMatchObject({ status: 'FAILED', compensation });
      await recordJourney(context, 'tok_capture_timeout', alice, order.orderId, EVENTS.PaymentFailed.type);
    },
  );
});
