import { EVENTS, type EventOf } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { createEvent } from '@shop/shared/messages';
import type { Invoice } from './invoice.ts';

/**
 * The InvoiceIssued fact of an invoice. Its id and time come from the invoice, so every delivery
 * that publishes it again publishes the same event, and consumers deduplicate it by id.
 */
export function invoiceIssued(
  invoice: Invoice,
  options: { correlationId: string },
): EventOf<typeof EVENTS.InvoiceIssued.type> {
  return createEvent(
    EVENTS.InvoiceIssued,
    {
      orderId: invoice.orderId,
      invoiceId: invoice.invoiceId,
      total: invoice.total,
      currency: invoice.currency,
    },
    {
      correlationId: options.correlationId,
      id: deterministicId('evt', EVENTS.InvoiceIssued.type, invoice.orderId),
      occurredAt: new Date(invoice.issuedAt),
    },
  );
}
