import { EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { parseEvent } from '@shop/shared/messages';
import { lambdaContext, sqsEvent } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { createTestBus, createTestTable, scanTable } from '@shop/testing/resources';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anIssueInvoiceCommand } from './builders.ts';

// DynamoDB and EventBridge are the emulators: events are read from the test bus they arrived on.
const tableName = await createTestTable({ envVar: 'INVOICES_TABLE_NAME', partitionKey: 'invoiceId' });
const bus = await createTestBus();
process.env.TAX_RATE_BASIS_POINTS = '2000';
const { handler } = await import('../src/handlers/issue-invoice.ts');
// The same handler where EventBridge rejects the entry, as it does for a bus that does not exist.
const { handler: handlerWithNoBus } = await importIsolated(
  { EVENT_BUS_NAME: 'no-such-bus' },
  () => import('../src/handlers/issue-invoice.ts'),
);

beforeEach(() => bus.clear());
afterEach(() => vi.useRealTimers());

let orderCount = 0;
/** A command for an order no other test uses, so each test reads only its own invoices. */
const aCommandForANewOrder = () =>
  anIssueInvoiceCommand({ orderId: `ord_01JD3V5Q3Z8N2X4G7K9M1P${String(++orderCount).padStart(4, '0')}` });

const invoicesOf = async (...orderIds: string[]) =>
  (await scanTable(tableName)).filter((item) => orderIds.includes(item.orderId as string));

/** The events that arrived on the test bus since the test began (only events put on that bus arrive). */
const publishedEvents = async () =>
  (await bus.events()).map((arrived) => ({
    source: arrived.source,
    detailType: arrived['detail-type'],
    event: parseEvent(arrived.detail, [EVENTS.InvoiceIssued]),
  }));

describe('issue-invoice', () => {
  it('stores the invoice of the order and publishes InvoiceIssued with the deterministic id', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-03-01T10:00:00.000Z'));
    const command = aCommandForANewOrder();
    const { orderId } = command.data;
    const invoiceId = deterministicId('inv', orderId);

    const result = await handler(sqsEvent([command]), lambdaContext());

    expect(result.batchItemFailures).toEqual([]);
    expect(await invoicesOf(orderId)).toEqual([
      {
        invoiceId,
        orderId,
        customerId: 'cus_42',
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
    ]);
    expect(await publishedEvents()).toEqual([
      {
        source: 'serverless-commerce.invoices',
        detailType: EVENTS.InvoiceIssued.type,
        event: {
          id: deterministicId('evt', EVENTS.InvoiceIssued.type, orderId),
          type: EVENTS.InvoiceIssued.type,
          version: 1,
          occurredAt: '2025-03-01T10:00:00.000Z',
          correlationId: command.correlationId,
          data: { orderId, invoiceId, total: 3499, currency: 'EUR' },
        },
      },
    ]);
  });

  it('keeps the first invoice when the same message is delivered twice, and publishes the same event again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const command = aCommandForANewOrder();
    vi.setSystemTime(new Date('2025-03-01T10:00:00.000Z'));
    await handler(sqsEvent([command]), lambdaContext());

    vi.setSystemTime(new Date('2025-03-01T10:05:00.000Z'));
    const redelivery = await handler(sqsEvent([command], { receiveCount: 2 }), lambdaContext());

    expect(redelivery.batchItemFailures).toEqual([]);
    const invoices = await invoicesOf(command.data.orderId);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]?.issuedAt).toBe('2025-03-01T10:00:00.000Z');
    const published = await publishedEvents();
    expect(published).toHaveLength(2);
    const [first, second] = published;
    expect(second).toEqual(first);
    expect(second?.event.id).toBe(deterministicId('evt', EVENTS.InvoiceIssued.type, command.data.orderId));
  });

  it.each([
    { invalid: 'an order with no items', body: anIssueInvoiceCommand({ items: [] }) },
    { invalid: 'a body that is not JSON', body: 'not json' },
    {
      invalid: 'a command with incomplete data',
      body: { ...anIssueInvoiceCommand(), data: { orderId: 'x' } },
    },
  ])('reports only $invalid as failed in a batch, and issues the others', async ({ body }) => {
    const [before, after] = [aCommandForANewOrder(), aCommandForANewOrder()];
    const event = sqsEvent([before, body, after]);

    const result = await handler(event, lambdaContext());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    const issued = await invoicesOf(before.data.orderId, after.data.orderId);
    expect(issued.map((invoice) => invoice.orderId).sort()).toEqual(
      [before.data.orderId, after.data.orderId].sort(),
    );
    expect(await invoicesOf(anIssueInvoiceCommand().data.orderId)).toEqual([]);
    expect((await publishedEvents()).map(({ event }) => event.data.orderId)).toEqual([
      before.data.orderId,
      after.data.orderId,
    ]);
  });

  it('reports the message as failed when PutEvents rejects the event, and keeps one invoice for the retry', async () => {
    const command = aCommandForANewOrder();
    const event = sqsEvent([command]);

    const failed = await handlerWithNoBus(event, lambdaContext());

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(await invoicesOf(command.data.orderId)).toHaveLength(1);

    const retried = await handler(sqsEvent([command], { receiveCount: 2 }), lambdaContext());

    expect(retried.batchItemFailures).toEqual([]);
    expect(await invoicesOf(command.data.orderId)).toHaveLength(1);
    // The rejected event never reached a bus; the retry's carries the id derived from the order, as
    // the rejected one did, so a consumer that saw both would see one event.
    expect((await publishedEvents()).map(({ event }) => event.id)).toEqual([
      deterministicId('evt', EVENTS.InvoiceIssued.type, command.data.orderId),
    ]);
  });
});
