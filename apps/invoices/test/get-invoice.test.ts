import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import { getInvoice } from '../src/domain/get-invoice.ts';
import { InvoiceNotFoundError, invoiceOf } from '../src/domain/invoice.ts';
import { anIssueInvoice } from './builders.ts';

const at = (taxRateBasisPoints: number) => ({
  taxRateBasisPoints,
  issuedAt: new Date('2025-03-01T10:00:00.000Z'),
});

describe("finding the signed-in customer's invoice", () => {
  const invoice = invoiceOf(anIssueInvoice(), at(2000));
  const customer = { customerId: invoice.customerId };
  const lookups: string[] = [];
  const deps = {
    invoices: {
      get: async (invoiceId: string) => {
        lookups.push(invoiceId);
        return invoiceId === invoice.invoiceId ? invoice : undefined;
      },
    },
  };
  const notFound = new InvoiceNotFoundError('No invoice has this id');

  it("returns the customer's stored invoice", async () => {
    await expect(getInvoice(invoice.invoiceId, customer, deps)).resolves.toBe(invoice);
  });

  it('reports an unknown id as not found', async () => {
    await expect(getInvoice(deterministicId('inv', 'ord_other'), customer, deps)).rejects.toEqual(notFound);
  });

  it("reports another customer's invoice as not found, in the same words as an unknown id", async () => {
    await expect(getInvoice(invoice.invoiceId, { customerId: 'cus_other' }, deps)).rejects.toEqual(notFound);
  });

  it('reports an id that cannot be an invoice id as not found without looking it up', async () => {
    lookups.length = 0;
    await expect(getInvoice('ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T', customer, deps)).rejects.toEqual(notFound);
    expect(lookups).toEqual([]);
  });
});
