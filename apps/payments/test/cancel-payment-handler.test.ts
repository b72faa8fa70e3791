import { EVENTS } from '@shop/contracts/events';
import { deterministicId } from '@shop/shared/ids';
import { busEvent, lambdaContext, sqsEvent } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { createTestBus, createTestWorkflow } from '@shop/testing/resources';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { testPaymentProvider } from '../src/adapters/test-payment-provider.ts';
import type { PaymentRecord } from '../src/domain/payment.ts';
import { anOrderCancelled, aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

// DynamoDB, EventBridge and Step Functions are the emulators: events are read from the test bus they
// arrived on, and a waiting bank transfer is an execution of this file's own state machine, waiting
// on the task whose token the payment holds.
const workflow = await createTestWorkflow();
// Its callbacks time out after a second, for the test of a cancellation that comes too late.
const impatientWorkflow = await createTestWorkflow({ callbackTimeoutSeconds: 1 });
const table = await createPaymentsTable();
const bus = await createTestBus();
const { handler } = await import('../src/handlers/cancel-payment.ts');
// The same handler where EventBridge rejects the entry, as it does for a bus that does not exist;
// with its own copy of the test provider, whose refunds count too.
const withNoBus = await importIsolated({ EVENT_BUS_NAME: 'no-such-bus' }, async () => ({
  handler: (await import('../src/handlers/cancel-payment.ts')).handler,
  provider: (await import('../src/adapters/test-payment-provider.ts')).testPaymentProvider,
}));
const refunds = vi.spyOn(testPaymentProvider, 'refund');
const refundsWithNoBus = vi.spyOn(withNoBus.provider, 'refund');
beforeEach(async () => {
  refunds.mockClear();
  refundsWithNoBus.mockClear();
  await bus.clear();
});

const cancel = (orderId: string) => {
  const cancellation = anOrderCancelled(orderId);
  return { cancellation, event: sqsEvent([busEvent(cancellation, 'serverless-commerce.orders')]) };
};
/** A bank transfer whose workflow execution waits on the task whose token the payment holds. */
const aWaitingTransfer = async (status: PaymentRecord['status'], waiting = workflow) => {
  const { orderId } = aPayment();
  const { executionArn, taskToken } = await waiting.start(orderId);
  const payment = await table.seed(aPayment({ orderId, method: 'bank_transfer', status, taskToken }));
  return { payment, taskToken, executionArn };
};
/** The events that arrived on the test bus since the test began (only events put on that bus arrive). */
const publishedEvents = async () =>
  (await bus.events()).map((arrived) => ({
    detailType: arrived['detail-type'],
    detail: arrived.detail as { id: string } & Record<string, unknown>,
  }));

describe('cancel-payment', () => {
  it('cancels an awaited bank transfer and fails the waiting workflow task', async () => {
    const { payment, executionArn } = await aWaitingTransfer('AWAITING_TRANSFER');
    const { event } = cancel(payment.orderId);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await table.itemsOf(payment.orderId)).toEqual([
      { ...payment, status: 'CANCELLED', reason: 'cancelled', updatedAt: expect.any(String) },
    ]);
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'FAILED',
      error: EVENTS.OrderCancelled.type,
      cause: expect.any(String),
    });
    expect(refunds).not.toHaveBeenCalled();
  });

  it('accepts that the waiting task is already over', async () => {
    const { payment, executionArn } = await aWaitingTransfer('AWAITING_TRANSFER', impatientWorkflow);
    expect(await impatientWorkflow.ended(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Timeout',
    });
    const result = await handler(cancel(payment.orderId).event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await table.itemsOf(payment.orderId)).toEqual([expect.objectContaining({ status: 'CANCELLED' })]);
  });

  it('fails the waiting task again for a transfer already cancelled, in case a crash followed the write', async () => {
    const { payment, executionArn } = await aWaitingTransfer('CANCELLED');
    const result = await handler(cancel(payment.orderId).event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'FAILED',
      error: EVENTS.OrderCancelled.type,
      cause: expect.any(String),
    });
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
  });

  it('refunds a captured payment once, records it REFUNDED and publishes PaymentRefunded', async () => {
    const captureId = deterministicId('cap', 'any');
    const payment = await table.seed(aPayment({ status: 'CAPTURED', captureId, authorizationId: 'auth_1' }));
    const { cancellation, event } = cancel(payment.orderId);
    const result = await handler(event, lambdaContext());
    const refundId = deterministicId('ref', captureId);
    expect(result.batchItemFailures).toEqual([]);
    expect(refunds).toHaveBeenCalledTimes(1);
    expect(await table.itemsOf(payment.orderId)).toEqual([
      { ...payment, status: 'REFUNDED', refundId, updatedAt: expect.any(String) },
    ]);
    expect(await publishedEvents()).toEqual([
      {
        detailType: EVENTS.PaymentRefunded.type,
        detail: expect.objectContaining({
          id: deterministicId('evt', EVENTS.PaymentRefunded.type, payment.orderId),
          correlationId: cancellation.correlationId,
          data: { orderId: payment.orderId, refundId, amount: payment.amount, currency: payment.currency },
        }),
      },
    ]);
  });

  it('handles the same message twice with one refund, one REFUNDED record and the same event id', async () => {
    const payment = await table.seed(aPayment({ status: 'CAPTURED', captureId: 'cap_twice' }));
    const { event } = cancel(payment.orderId);
    await handler(event, lambdaContext());
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(refunds).toHaveBeenCalledTimes(1);
    expect(await table.itemsOf(payment.orderId)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
    const [first, again] = await publishedEvents();
    expect(again).toEqual(first);
    expect(first?.detail.id).toBe(deterministicId('evt', EVENTS.PaymentRefunded.type, payment.orderId));
  });

  it('publishes the refund on redelivery when the publish failed, without refunding again', async () => {
    const payment = await table.seed(aPayment({ status: 'CAPTURED', captureId: 'cap_retry' }));
    const { event } = cancel(payment.orderId);
    const failed = await withNoBus.handler(event, lambdaContext());
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const retried = await handler(event, lambdaContext());
    expect(retried.batchItemFailures).toEqual([]);
    expect([refundsWithNoBus.mock.calls.length, refunds.mock.calls.length]).toEqual([1, 0]);
    // The rejected event never reached a bus; the redelivery's carries the id derived from the order.
    expect((await publishedEvents()).map((published) => published.detail.id)).toEqual([
      deterministicId('evt', EVENTS.PaymentRefunded.type, payment.orderId),
    ]);
  });

  it.each(['STARTED', 'TRANSFER_CONFIRMED'] as const)(
    'returns the message to the queue while the payment is %s, and changes nothing',
    async (status) => {
      const { payment, taskToken } = await aWaitingTransfer(status);
      const { event } = cancel(payment.orderId);
      const result = await handler(event, lambdaContext());
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
      expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
      expect(await workflow.isWaiting(taskToken)).toBe(true);
      expect(refunds).not.toHaveBeenCalled();
    },
  );

  it('leaves a CANCELLED tombstone for an order whose payment has not started', async () => {
    const orderId = 'ord_not_started';
    const result = await handler(cancel(orderId).event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await table.itemsOf(orderId)).toEqual([
      { orderId, status: 'CANCELLED', attempts: 0, reason: 'cancelled', updatedAt: expect.any(String) },
    ]);
  });

  it('does nothing for a payment that already failed', async () => {
    const { orderId } = aPayment();
    // Even with a token on the payment, and a task still waiting on it, nothing is answered.
    const { taskToken } = await workflow.start(orderId);
    const payment = await table.seed(
      aPayment({ orderId, status: 'FAILED', reason: 'card_declined', attempts: 1, taskToken }),
    );
    const result = await handler(cancel(payment.orderId).event, lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    expect(await workflow.isWaiting(taskToken)).toBe(true);
    expect(await publishedEvents()).toEqual([]);
  });

  it('reports a message that is not an OrderCancelled event alone', async () => {
    const payment = await table.seed(aPayment({ status: 'FAILED' }));
    const cancellation = anOrderCancelled(payment.orderId);
    const event = sqsEvent([
      busEvent({ ...cancellation, type: EVENTS.OrderPlaced.type }),
      busEvent(cancellation),
    ]);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });
});
