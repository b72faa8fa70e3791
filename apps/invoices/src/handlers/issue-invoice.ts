import { parseCommand } from '@shop/shared/commands';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { eventPublisher } from '#adapters/event-bus';
import { invoicesStore } from '#adapters/invoices-store';
import { taxRateBasisPoints } from '#adapters/tax-rate';
import { observability } from '#observability';
import { issueInvoice } from '../domain/invoice.ts';
import { invoiceIssued } from '../domain/invoice-issued.ts';

const { logger } = observability;

export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseCommand('IssueInvoice', body),
  handle: async (command) => {
    const draft = issueInvoice(command.data, { taxRateBasisPoints, issuedAt: new Date() });
    // On a redelivery this returns the invoice stored the first time, which stays the only one.
    const invoice = await invoicesStore.putIfAbsent(draft);
    // Published on every delivery: an earlier one may have stored the invoice and then failed
    // before publishing. The event id is deterministic, so consumers drop the duplicates.
    await eventPublisher.publish(invoiceIssued(invoice, { correlationId: command.correlationId }));
    logger.info('Invoice issued', { orderId: invoice.orderId, invoiceId: invoice.invoiceId });
  },
});
