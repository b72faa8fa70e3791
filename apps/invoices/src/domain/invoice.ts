import type { COMMANDS, CommandOf } from '@shop/contracts/commands';
import type { InvoiceView } from '@shop/contracts/http';
import type { Currency } from '@shop/contracts/money';
import { NotFoundError, ValidationError } from '@shop/shared/errors';
import { deterministicId } from '@shop/shared/ids';
import { includedTax, multiply, sum } from '@shop/shared/money';

/**
 * An invoice for a paid order. Prices are tax-inclusive: the total is what the customer paid (the
 * captured amount), and the tax is the part of it that is tax, so an invoice never disagrees with
 * its payment. All amounts are integer minor units.
 */
export interface Invoice {
  invoiceId: string;
  orderId: string;
  customerId: string;
  currency: Currency;
  lines: InvoiceLine[];
  subtotal: number;
  tax: number;
  total: number;
  taxRateBasisPoints: number;
  /** ISO 8601, set once by the first delivery that stored the invoice. */
  issuedAt: string;
}

export interface InvoiceLine {
  sku: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

export type IssueInvoiceData = CommandOf<typeof COMMANDS.IssueInvoice.type>['data'];

export class InvoiceNotFoundError extends NotFoundError {
  override readonly name = 'InvoiceNotFoundError';
}

/** The invoice id of an order: the same on every delivery of its IssueInvoice command. */
export const invoiceIdOf = (orderId: string): string => deterministicId('inv', orderId);

/**
 * Builds the invoice of an order. The money helpers throw a RangeError rather than return an
 * amount that is not an exact integer, so an absurd order fails loudly instead of being invoiced wrong.
 */
export function invoiceOf(
  order: IssueInvoiceData,
  options: { taxRateBasisPoints: number; issuedAt: Date },
): Invoice {
  if (order.items.length === 0) {
    throw new ValidationError('An invoice needs at least one line', [
      { path: 'data.items', message: 'The order has no items' },
    ]);
  }
  const lines = order.items.map(({ sku, quantity, unitPrice }) => ({
    sku,
    quantity,
    unitPrice,
    amount: multiply(unitPrice, quantity),
  }));
  const total = sum(lines.map((line) => line.amount));
  const tax = includedTax(total, options.taxRateBasisPoints);
  return {
    invoiceId: invoiceIdOf(order.orderId),
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    lines,
    subtotal: total - tax,
    tax,
    total,
    taxRateBasisPoints: options.taxRateBasisPoints,
    issuedAt: options.issuedAt.toISOString(),
  };
}

/**
 * The invoice as `GET /invoices/{invoiceId}` returns it. Fields are picked one by one so that an
 * attribute added to the stored invoice is not published by accident; the customer id stays out.
 * The tax rate is given in basis points (2000 = 20 %), an integer like every amount of the API.
 */
export function invoiceView(invoice: Invoice): InvoiceView {
  return {
    invoiceId: invoice.invoiceId,
    orderId: invoice.orderId,
    currency: invoice.currency,
    lines: invoice.lines.map(({ sku, quantity, unitPrice, amount }) => ({
      sku,
      quantity,
      unitPrice,
      amount,
    })),
    subtotal: invoice.subtotal,
    tax: invoice.tax,
    total: invoice.total,
    taxRateBasisPoints: invoice.taxRateBasisPoints,
    issuedAt: invoice.issuedAt,
  };
}
