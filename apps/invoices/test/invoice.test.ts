import { invoiceSchema } from '@shop/contracts/http';
import { ValidationError } from '@shop/shared/errors';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import { type Invoice, invoiceOf, invoiceView } from '../src/domain/invoice.ts';
import { anIssueInvoice } from './builders.ts';

const issuedAt = new Date('2025-03-01T10:00:00.000Z');
const at = (taxRateBasisPoints: number) => ({ taxRateBasisPoints, issuedAt });
const oneLineOf = (unitPrice: number, quantity = 1) =>
  anIssueInvoice({ items: [{ sku: 'SKU-1', quantity, unitPrice }] });

describe('the invoice of a paid order', () => {
  it('prices each line as unit price times quantity', () => {
    const invoice = invoiceOf(anIssueInvoice(), at(2000));
    expect(invoice.lines).toEqual([
      { sku: 'BOOK-1', quantity: 2, unitPrice: 1250, amount: 2500 },
      { sku: 'PEN-7', quantity: 1, unitPrice: 999, amount: 999 },
    ]);
  });

  it('makes the total the sum the customer paid, tax included', () => {
    const invoice = invoiceOf(anIssueInvoice(), at(2000));
    expect(invoice.total).toBe(2500 + 999);
    expect(invoice.subtotal + invoice.tax).toBe(invoice.total);
  });

  it.each([
    { rate: 0, total: 3499, tax: 0, subtotal: 3499 },
    { rate: 2000, total: 3499, tax: 583, subtotal: 2916 },
    { rate: 700, total: 3499, tax: 229, subtotal: 3270 },
    { rate: 2100, total: 3499, tax: 607, subtotal: 2892 },
  ])('splits the tax out of the total at $rate basis points', ({ rate, total, tax, subtotal }) => {
    const invoice = invoiceOf(anIssueInvoice(), at(rate));
    expect(invoice).toMatchObject({ total, tax, subtotal, taxRateBasisPoints: rate });
  });

  it.each([
    { rate: 2000, paid: 3, tax: 1, why: 'exactly half a cent rounds up' },
    { rate: 2000, paid: 9, tax: 2, why: 'exactly one and a half cents rounds up' },
    { rate: 2000, paid: 1000, tax: 167, why: '166.67 rounds up' },
    { rate: 2000, paid: 12, tax: 2, why: 'an exact tax is kept' },
    { rate: 700, paid: 100, tax: 7, why: '6.54 rounds up' },
    { rate: 700, paid: 1000, tax: 65, why: '65.42 rounds down' },
    { rate: 700, paid: 1070, tax: 70, why: 'an exact tax is kept' },
    { rate: 2100, paid: 100, tax: 17, why: '17.36 rounds down' },
    { rate: 2100, paid: 1000, tax: 174, why: '173.55 rounds up' },
  ])('rounds the tax of $paid at $rate basis points half up to $tax ($why)', ({ rate, paid, tax }) => {
    const invoice = invoiceOf(oneLineOf(paid), at(rate));
    expect(invoice).toMatchObject({ total: paid, tax, subtotal: paid - tax });
  });

  it('gives the same invoice id to every invoice of the same order, and another to another order', () => {
    const first = invoiceOf(anIssueInvoice(), at(2000));
    const again = invoiceOf(anIssueInvoice(), { taxRateBasisPoints: 700, issuedAt: new Date() });
    const other = invoiceOf(anIssueInvoice({ orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0V' }), at(2000));
    expect(first.invoiceId).toBe(deterministicId('inv', 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T'));
    expect(again.invoiceId).toBe(first.invoiceId);
    expect(other.invoiceId).not.toBe(first.invoiceId);
  });

  it('records the order, the customer, the currency and the time of issue', () => {
    const invoice = invoiceOf(anIssueInvoice({ currency: 'SEK' }), at(2500));
    expect(invoice).toMatchObject({
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      customerId: 'cus_42',
      currency: 'SEK',
      issuedAt: '2025-03-01T10:00:00.000Z',
    });
  });

  it('refuses an order with no items', () => {
    expect(() => invoiceOf(anIssueInvoice({ items: [] }), at(2000))).toThrow(ValidationError);
  });

  it('refuses a line whose amount is too large to be exact, rather than invoicing a wrong amount', () => {
    expect(() => invoiceOf(oneLineOf(2 ** 52, 4), at(2000))).toThrow(RangeError);
  });

  it('refuses lines whose sum is too large to be exact', () => {
    const items = [
      { sku: 'A', quantity: 1, unitPrice: 2 ** 52 },
      { sku: 'B', quantity: 1, unitPrice: 2 ** 52 },
    ];
    expect(() => invoiceOf(anIssueInvoice({ items }), at(2000))).toThrow(RangeError);
  });

  it('refuses a total whose tax cannot be computed exactly', () => {
    expect(() => invoiceOf(oneLineOf(2 ** 50), at(2000))).toThrow(RangeError);
  });
});

describe('the invoice view', () => {
  const invoice = invoiceOf(anIssueInvoice(), at(2000));

  it('shows the lines, the amounts, the tax rate in basis points and the ids, but not the customer', () => {
    const withExtra = { ...invoice, internalNote: 'not for clients' } as Invoice;
    expect(invoiceView(withExtra)).toEqual({
      invoiceId: invoice.invoiceId,
      orderId: invoice.orderId,
      currency: 'EUR',
      lines: invoice.lines,
      subtotal: 2916,
      tax: 583,
      total: 3499,
      taxRateBasisPoints: 2000,
      issuedAt: '2025-03-01T10:00:00.000Z',
    });
  });

  it('answers in the shape of the API contract', () => {
    expect(invoiceSchema.safeParse(invoiceView(invoice)).error).toBeUndefined();
  });
});
