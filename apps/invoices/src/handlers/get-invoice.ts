import { httpHandler } from '@shop/shared/http';
import { invoicesStore } from '#adapters/invoices-store';
import { observability } from '#observability';
import { findInvoice, invoiceView } from '../domain/invoice.ts';

/** GET /invoices/{invoiceId} */
export const handler = httpHandler(observability, async (request) => {
  const customerId = request.customerId();
  const invoice = await findInvoice(
    request.pathParameter('invoiceId'),
    { customerId },
    { invoices: invoicesStore },
  );
  return { status: 200, body: invoiceView(invoice) };
});
