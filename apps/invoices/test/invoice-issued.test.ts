import { EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { parseEvent } from '@shop/shared/messages';
import { describe, expect, it } from 'vitest';
import { invoiceOf } from '../src/domain/invoice.ts';
import { invoiceIssued } from '../src/domain/invoice-issued.ts';
import { anIssueInvoice } from './builders.ts';

describe('the InvoiceIssued event', () => {
  const invoice = invoiceOf(anIssueInvoice(), {
    taxRateBasisPoints: 2000,
    issuedAt: new Date('2025-03-01T10:00:00.000Z'),
  });

  it('announces the invoice with an id derived from the order, valid against the event schema', () => {
    const event = invoiceIssued(invoice, { correlationId: 'corr-1' });
    expect(parseEvent(event, [EVENTS.InvoiceIssued])).toEqual({
      id: deterministicId('evt', EVENTS.InvoiceIssued.type, invoice.orderId),
      type: EVENTS.InvoiceIssued.type,
      version: 1,
      occurredAt: '2025-03-01T10:00:00.000Z',
      correlationId: 'corr-1',
      data: { orderId: invoice.orderId, invoiceId: invoice.invoiceId, total: 3499, currency: 'EUR' },
    });
  });

  it('is the same event each time it is made for the same invoice', () => {
    const first = invoiceIssued(invoice, { correlationId: 'corr-1' });
    expect(invoiceIssued(invoice, { correlationId: 'corr-1' })).toEqual(first);
  });
});
