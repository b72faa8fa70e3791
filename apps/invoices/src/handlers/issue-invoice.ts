import { COMMANDS } from '@shop/contracts/commands';
import { parseCommand } from '@shop/shared/messages';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { eventPublisher } from '#adapters/event-bus';
import { invoicesStore } from '#adapters/invoices-store';
import { taxRateBasisPoints } from '#adapters/tax-rate';
import { observability } from '#observability';
import { issueInvoice } from '../domain/issue-invoice.ts';

const { logger } = observability;

/** The invoice-requests queue: IssueInvoice commands from the payment workflow. */
export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseCommand(COMMANDS.IssueInvoice, body),
  handle: async (command) => {
    const invoice = await issueInvoice(command, {
      invoices: invoicesStore,
      events: eventPublisher,
      taxRateBasisPoints,
    });
    logger.info('Invoice issued', { orderId: invoice.orderId, invoiceId: invoice.invoiceId });
  },
});
