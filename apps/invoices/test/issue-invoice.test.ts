import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { parseEvent } from '@shop/shared/events';
import { deterministicId } from '@shop/shared/ids';
import { lambdaContext, sqsEvent } from '@shop/shared/testing/events';
import { createTestTable, scanTable } from '@shop/shared/testing/resources';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { anIssueInvoiceCommand } from './builders.ts';

const tableName = await createTestTable({ envVar: 'INVOICES_TABLE_NAME', partitionKey: 'invoiceId' });
process.env.EVENT_BUS_NAME = 'test-bus';
process.env.TAX_RATE_BASIS_POINTS = '2000';
const { handler } = await import('../src/handlers/issue-invoice.ts');

// Only EventBridge is mocked: its PutEvents endpoint belongs to the local cloud (apps/local), which
// these service tests cannot depend on; the end-to-end tests cover it for real. DynamoDB and SQS are real.
const eventBridge = mockClient(EventBridgeClient);
beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});
afterEach(() => vi.useRealTimers());

let orderCount = 0;
/** A command for an order no other test uses, so each test reads only its own invoices. */
const aCommandForANewOrder = () =>
  anIssueInvoiceCommand({ orderId: `ord_01JD3V5Q3Z8N2X4G7K9M1P${String(++orderCount).padStart(4, '0')}` });

const invoicesOf = async (...orderIds: string[]) =>
  (await scanTable(tableName)).filter((item) => orderIds.includes(item.orderId as string));

const publishedEvents = () =>
  eventBridge.commandCalls(PutEventsCommand).flatMap((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => ({
      busName: entry.EventBusName,
      source: entry.Source,
      detailType: entry.DetailType,
      event: parseEvent(JSON.parse(entry.Detail ?? 'null'), ['InvoiceIssued']),
    })),
  );

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
    expect(publishedEvents()).toEqual([
      {
        busName: 'test-bus',
        source: 'serverless-commerce.invoices',
        detailType: 'InvoiceIssued',
        event: {
          id: deterministicId('evt', 'InvoiceIssued', orderId),
          type: 'InvoiceIssued',
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
    const [first, second] = publishedEvents();
    expect(publishedEvents()).toHaveLength(2);
    expect(second).toEqual(first);
    expect(second?.event.id).toBe(deterministicId('evt', 'InvoiceIssued', command.data.orderId));
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
    expect(publishedEvents().map(({ event }) => event.data.orderId)).toEqual([
      before.data.orderId,
      after.data.orderId,
    ]);
  });

  it('reports the message as failed when PutEvents rejects the event, and keeps one invoice for the retry', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'retry' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });
    const command = aCommandForANewOrder();
    const event = sqsEvent([command]);

    const failed = await handler(event, lambdaContext());

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(await invoicesOf(command.data.orderId)).toHaveLength(1);

    const retried = await handler(sqsEvent([command], { receiveCount: 2 }), lambdaContext());

    expect(retried.batchItemFailures).toEqual([]);
    expect(await invoicesOf(command.data.orderId)).toHaveLength(1);
    const [rejected, accepted] = publishedEvents();
    expect(publishedEvents()).toHaveLength(2);
    expect(accepted?.event.id).toBe(rejected?.event.id);
  });
});
