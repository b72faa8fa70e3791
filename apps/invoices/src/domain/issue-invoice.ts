import type { COMMANDS, CommandOf } from '@shop/contracts/commands';
import { type Invoice, invoiceOf } from './invoice.ts';
import { invoiceIssued } from './invoice-issued.ts';
import type { EventPublisher, InvoicesStore } from './ports.ts';

export interface IssueInvoiceDependencies {
  invoices: Pick<InvoicesStore, 'putIfAbsent'>;
  events: EventPublisher;
  /** The tax rate of the stage, in basis points (2000 = 20 %). */
  taxRateBasisPoints: number;
  now?: () => Date;
}

/**
 * Issues the invoice of a paid order and announces it with InvoiceIssued. A redelivery gets the
 * invoice stored the first time, which stays the only one, and publishes its event again: an
 * earlier delivery may have stored the invoice and then failed before publishing. The event id is
 * derived from the order, so consumers drop the duplicates.
 */
export async function issueInvoice(
  command: CommandOf<typeof COMMANDS.IssueInvoice.type>,
  deps: IssueInvoiceDependencies,
): Promise<Invoice> {
  const issuedAt = deps.now?.() ?? new Date();
  const draft = invoiceOf(command.data, { taxRateBasisPoints: deps.taxRateBasisPoints, issuedAt });
  const invoice = await deps.invoices.putIfAbsent(draft);
  await deps.events.publish(invoiceIssued(invoice, { correlationId: command.correlationId }));
  return invoice;
}
