import { httpHandler } from '@shop/shared/http';
import { invoicesStore } from '#adapters/invoices-store';
import { observability } from '#observability';
import { findInvoice, invoiceView } from '../domain/invoice.ts';

export const handler = httpHandler(observability, async (request) => {
  const invoice = await findInvoice(request.pathParameter('invoiceId'), invoicesStore);
  return { status: 200, body: invoiceView(invoice) };
});
