import { httpHandler } from '@shop/shared/http';
import { invoicesStore } from '#adapters/invoices-store';
import { observability } from '#observability';
import { getInvoice } from '../domain/get-invoice.ts';
import { invoiceView } from '../domain/invoice.ts';

/** GET /invoices/{invoiceId} */
export const handler = httpHandler(observability, async (request) => {
  const customerId = request.customerId();
  const invoice = await getInvoice(
    request.pathParameter('invoiceId'),
    { customerId },
    { invoices: invoicesStore },
  );
  return { status: 200, body: invoiceView(invoice) };
});
