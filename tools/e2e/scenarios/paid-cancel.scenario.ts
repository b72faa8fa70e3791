import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import { whileInvoicingPaused } from './paused-invoicing.ts';
import { customer, eventually, paymentItem, recordJourney, settleDeadlineMs, settled } from './support.ts';

/**
 * A card order cancelled once paid, before its invoice: nothing in the flow waits between the
 * capture and the invoice, so the scenario pauses the invoice consumer to hold the order in PAID.
 */
const erin = customer('paid-cancel');

describe('a paid order cancelled before it is invoiced', () => {
  it('is refunded and ends CANCELLED; the invoice issued once invoicing resumes changes nothing', async (context) => {
    const orderId = await whileInvoicingPaused(async () => {
      const placed = await erin.placeOrder({ method: 'card', token: 'tok_visa' });
      const { orderId } = placed.body;
      await settled(erin, orderId, ['PAID']);
      expect((await erin.cancel(orderId)).status).toBe(202);

      const order = await eventually(
        () => erin.getOrder(orderId),
        (response) => response.body.refund !== undefined,
        await settleDeadlineMs(),
      );
      expect(order.body).toMatchObject({
        status: 'CANCELLED',
        payment: { status: 'REFUNDED' },
        refund: { amount: 2999 },
      });
      expect(order.body.invoiceId).toBeUndefined();
      expect((await paymentItem(orderId))?.status).toBe('REFUNDED');
      return orderId;
    });

    // The invoice request waited in its queue: it is issued now, and the cancelled order ignores it.
    const journey = await recordJourney(
      context,
      'cancelled once paid',
      erin,
      orderId,
      EVENTS.InvoiceIssued.type,
    );
    expect(journey).toEqual({
      events: [
        EVENTS.OrderPlaced.type,
        EVENTS.PaymentCaptured.type,
        EVENTS.OrderCancelled.type,
        EVENTS.PaymentRefunded.type,
        EVENTS.InvoiceIssued.type,
      ],
      orderStatus: 'CANCELLED',
      paymentStatus: 'REFUNDED',
    });
  });
});
