import { COMMANDS, type CommandOf } from '@shop/contracts/commands';
import { createCommand } from '@shop/shared/messages';
import type { IssueInvoiceData } from '../src/domain/invoice.ts';

/** The data of an IssueInvoice command for a paid order: 2 × 12.50 + 1 × 9.99 = 34.99 EUR. */
export function anIssueInvoice(overrides: Partial<IssueInvoiceData> = {}): IssueInvoiceData {
  return {
    orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
    customerId: 'cus_42',
    currency: 'EUR',
    items: [
      { sku: 'BOOK-1', quantity: 2, unitPrice: 1250 },
      { sku: 'PEN-7', quantity: 1, unitPrice: 999 },
    ],
    captureId: 'cap_1',
    ...overrides,
  };
}

/** An IssueInvoice command envelope, as the payment workflow sends it to the invoice-requests queue. */
export function anIssueInvoiceCommand(
  overrides: Partial<IssueInvoiceData> = {},
): CommandOf<typeof COMMANDS.IssueInvoice.type> {
  return createCommand(COMMANDS.IssueInvoice, anIssueInvoice(overrides), { correlationId: 'corr-1' });
}
