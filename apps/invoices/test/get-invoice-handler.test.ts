import { deterministicId } from '@shop/shared/ids';
import { httpEvent, lambdaContext } from '@shop/testing/events';
import { createTestTable } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import { invoiceOf } from '../src/domain/invoice.ts';
import { anIssueInvoice } from './builders.ts';

await createTestTable({ envVar: 'INVOICES_TABLE_NAME', partitionKey: 'invoiceId' });
const { handler } = await import('../src/handlers/get-invoice.ts');
const { invoicesStore } = await import('#adapters/invoices-store');

// The invoice of the customer who signs in below, and one of another customer.
const customerId = 'd2f50444-0041-7036-aea2-a955fca33d37';
const issuedAt = new Date('2025-03-01T10:00:00.000Z');
const stored = await invoicesStore.putIfAbsent(
  invoiceOf(anIssueInvoice({ customerId }), { taxRateBasisPoints: 2000, issuedAt }),
);
const theirs = await invoicesStore.putIfAbsent(
  invoiceOf(anIssueInvoice({ orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0V', customerId: 'cus_other' }), {
    taxRateBasisPoints: 2000,
    issuedAt,
  }),
);

/** GET /invoices/{invoiceId}, signed in as the customer (or as `as`, or with no authorizer as `{}`). */
const getInvoice = async (invoiceId: string, as: { customerId?: string } = { customerId }) => {
  const response = await handler(
    httpEvent({ method: 'GET', route: '/invoices/{invoiceId}', pathParameters: { invoiceId }, ...as }),
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
    expect(await getInvoice(deterministicId('inv', 'ord_never_placed'))).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'No invoice has this id' } },
    });
  });

  it("answers 404 for another customer's invoice, exactly as for an invoice id that does not exist", async () => {
    expect(await getInvoice(theirs.invoiceId)).toEqual(
      await getInvoice(deterministicId('inv', 'ord_never_placed')),
    );
    // The owner still reads it.
    expect((await getInvoice(theirs.invoiceId, { customerId: 'cus_other' })).status).toBe(200);
  });

  it('answers 401 on a request that reached it without a signed-in customer, even for an existing invoice', async () => {
    expect(await getInvoice(stored.invoiceId, {})).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'This route needs a signed-in customer' } },
    });
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
