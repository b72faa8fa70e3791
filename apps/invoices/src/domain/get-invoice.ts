import { isId } from '@shop/contracts/ids';
import { type Invoice, InvoiceNotFoundError } from './invoice.ts';
import type { InvoicesStore } from './ports.ts';

/**
 * The signed-in customer's invoice, by the id a client sent. Another customer's invoice is
 * "not found", in the same words as an unknown id, so that an id tells nobody whether someone
 * else's invoice exists. An id that cannot be one of ours is "not found" without a lookup:
 * arbitrary input (too long for a DynamoDB key, for one) never reaches the table.
 */
export async function getInvoice(
  invoiceId: string,
  context: { customerId: string },
  deps: { invoices: Pick<InvoicesStore, 'get'> },
): Promise<Invoice> {
  const invoice = isId(invoiceId, 'inv') ? await deps.invoices.get(invoiceId) : undefined;
  if (!invoice || invoice.customerId !== context.customerId) {
    throw new InvoiceNotFoundError('No invoice has this id');
  }
  return invoice;
}
