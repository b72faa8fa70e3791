import { type DomainEvent, EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import type { Invoice } from '../src/domain/invoice.ts';
import { type IssueInvoiceDependencies, issueInvoice } from '../src/domain/issue-invoice.ts';
import { anIssueInvoiceCommand } from './builders.ts';

/** The invoices store in memory, never overwriting an invoice, and a bus that can refuse the event. */
function ports(options: { publishFails?: boolean; now?: string } = {}) {
  const stored = new Map<string, Invoice>();
  const published: DomainEvent[] = [];
  const deps: IssueInvoiceDependencies = {
    invoices: {
      async putIfAbsent(invoice) {
        const first = stored.get(invoice.invoiceId) ?? invoice;
        stored.set(invoice.invoiceId, first);
        return first;
      },
    },
    events: {
      async publish(...events) {
        if (options.publishFails) throw new Error('bus unavailable');
        published.push(...events);
      },
    },
    taxRateBasisPoints: 2000,
    now: () => new Date(options.now ?? '2025-03-01T10:00:00.000Z'),
  };
  return { deps, stored, published };
}

describe('issuing the invoice of a paid order', () => {
  it('stores the invoice at the tax rate of the stage and announces it with InvoiceIssued', async () => {
    const { deps, stored, published } = ports();
    const command = anIssueInvoiceCommand();
    const { orderId } = command.data;

    const invoice = await issueInvoice(command, deps);

    expect(invoice).toMatchObject({
      invoiceId: deterministicId('inv', orderId),
      orderId,
      total: 3499,
      tax: 583,
      taxRateBasisPoints: 2000,
      issuedAt: '2025-03-01T10:00:00.000Z',
    });
    expect([...stored.values()]).toEqual([invoice]);
    expect(published).toEqual([
      expect.objectContaining({
        id: deterministicId('evt', EVENTS.InvoiceIssued.type, orderId),
        type: EVENTS.InvoiceIssued.type,
        correlationId: command.correlationId,
        data: { orderId, invoiceId: invoice.invoiceId, total: 3499, currency: 'EUR' },
      }),
    ]);
  });

  it('keeps the first invoice on a redelivery, and publishes the same event again', async () => {
    const { deps, stored, published } = ports();
    const command = anIssueInvoiceCommand();
    const first = await issueInvoice(command, deps);

    const again = await issueInvoice(command, { ...deps, now: () => new Date('2025-03-01T10:05:00.000Z') });

    expect(again).toEqual(first);
    expect(stored.size).toBe(1);
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
  });

  it('fails when the event cannot be published, with the invoice stored for the retry', async () => {
    const { deps, stored } = ports({ publishFails: true });
    const command = anIssueInvoiceCommand();

    await expect(issueInvoice(command, deps)).rejects.toThrow('bus unavailable');
    expect([...stored.keys()]).toEqual([deterministicId('inv', command.data.orderId)]);
  });

  it('stores nothing and announces nothing for an order with no items', async () => {
    const { deps, stored, published } = ports();

    await expect(issueInvoice(anIssueInvoiceCommand({ items: [] }), deps)).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(stored.size).toBe(0);
    expect(published).toEqual([]);
  });
});
