import { deterministicId } from '@shop/shared/ids';
import { httpEvent, lambdaContext } from '@shop/shared/testing/events';
import { createTestTable } from '@shop/shared/testing/resources';
import { describe, expect, it } from 'vitest';
import { issueInvoice } from '../src/domain/invoice.ts';
import { anIssueInvoice } from './builders.ts';

await createTestTable({ envVar: 'INVOICES_TABLE_NAME', partitionKey: 'invoiceId' });
const { handler } = await import('../src/handlers/get-invoice.ts');
const { invoicesStore } = await import('#adapters/invoices-store');

const stored = await invoicesStore.putIfAbsent(
  issueInvoice(anIssueInvoice(), {
    taxRateBasisPoints: 2000,
    issuedAt: new Date('2025-03-01T10:00:00.000Z'),
  }),
);

const getInvoice = async (invoiceId: string) => {
  const response = await handler(
    httpEvent({ method: 'GET', route: '/invoices/{invoiceId}', pathParameters: { invoiceId } }),
    lambdaContext(),
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};

describe('get-invoice', () => {
  it('returns the invoice with its lines, subtotal, tax and total', async () => {
    expect(await getInvoice(stored.invoiceId)).toEqual({
      status: 200,
      body: {
        invoiceId: deterministicId('inv', 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T'),
        orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
        currency: 'EUR',
        lines: [
          { sku: 'BOOK-1', quantity: 2, unitPrice: 1250, amount: 2500 },
          { sku: 'PEN-7', quantity: 1, unitPrice: 999, amount: 999 },
        ],
        subtotal: 2916,
        tax: 583,
        total: 3499,
        taxRateBasisPoints: 2000,
        issuedAt: '2025-03-01T10:00:00.000Z',
      },
    });
  });

  it('answers 404 not_found for an invoice id that does not exist', async () => {
    const { status, body } = await getInvoice(deterministicId('inv', 'ord_never_placed'));
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });

  it.each([
    { what: 'a path traversal', invoiceId: '../etc/passwd' },
    { what: 'an injection attempt', invoiceId: "inv_x' OR 1=1" },
    { what: 'an order id', invoiceId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T' },
    { what: 'an id longer than a DynamoDB key may be', invoiceId: `inv_${'A'.repeat(2048)}` },
  ])('answers 404 not_found for $what', async ({ invoiceId }) => {
    const { status, body } = await getInvoice(invoiceId);
    expect(status).toBe(404);
    expect(body.error.code).toBe('not_found');
  });
});
