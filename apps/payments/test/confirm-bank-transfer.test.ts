import { localEndpoints } from '@shop/shared/testing/endpoints';
import { httpEvent, lambdaContext } from '@shop/shared/testing/events';
import { importIsolated } from '@shop/shared/testing/import-isolated';
import { createTestWorkflow } from '@shop/shared/testing/resources';
import { describe, expect, it } from 'vitest';
import type { PaymentRecord } from '../src/domain/payment.ts';
import { aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

// The waiting workflow is a state machine of this file's own on the test Step Functions: each test
// starts an execution that waits for a callback, and the payment holds the token it waits on.
const workflow = await createTestWorkflow();
// Its callbacks time out after a second, for the test of a confirmation that comes too late.
const impatientWorkflow = await createTestWorkflow({ callbackTimeoutSeconds: 1 });
const table = await createPaymentsTable();
const { handler } = await import('../src/handlers/confirm-bank-transfer.ts');
// The same handler where Step Functions cannot be reached: the endpoint drops every connection.
const withStepFunctionsDown = await importIsolated(
  { AWS_ENDPOINT_URL_SFN: localEndpoints().refusing },
  async () => (await import('../src/handlers/confirm-bank-transfer.ts')).handler,
);

const confirmWith = async (confirmHandler: typeof handler, orderId: string) => {
  const response = await confirmHandler(
    httpEvent({ method: 'POST', route: '/payments/{orderId}/confirm', pathParameters: { orderId } }),
    lambdaContext(),
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};
const confirm = (orderId: string) => confirmWith(handler, orderId);
/** A transfer the workflow waits for: an execution waiting on a task, its token kept on the payment. */
const awaitedTransfer = async (status: PaymentRecord['status'] = 'AWAITING_TRANSFER', waiting = workflow) => {
  const { orderId } = aPayment();
  const { executionArn, taskToken } = await waiting.start(orderId);
  const payment = await table.seed(aPayment({ orderId, method: 'bank_transfer', status, taskToken }));
  return { payment, taskToken, executionArn };
};

describe('POST /payments/{orderId}/confirm', () => {
  it('records the confirmation and resumes the workflow with the stored token: 202', async () => {
    const { payment, taskToken, executionArn } = await awaitedTransfer();
    const { orderId } = payment;
    const response = await confirm(orderId);
    expect(response).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    const [stored] = await table.itemsOf(orderId);
    expect(stored).toMatchObject({ status: 'TRANSFER_CONFIRMED', taskToken });
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { orderId, confirmedAt: stored?.updatedAt },
    });
  });

  it('answers 404 for an order without a payment', async () => {
    const { taskToken } = await workflow.start('ord_unknown');
    const response = await confirm('ord_unknown');
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await workflow.isWaiting(taskToken)).toBe(true);
  });

  it.each(['STARTED', 'CAPTURED', 'CANCELLED'] as const)(
    'answers 409 when the payment is %s, because no transfer is awaited',
    async (status) => {
      const { payment, taskToken } = await awaitedTransfer(status);
      const response = await confirm(payment.orderId);
      expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
      expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
      expect(await workflow.isWaiting(taskToken)).toBe(true);
    },
  );

  it('answers 409 when Step Functions says the waiting task timed out', async () => {
    const { payment, executionArn } = await awaitedTransfer('AWAITING_TRANSFER', impatientWorkflow);
    expect(await impatientWorkflow.ended(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Timeout',
    });
    const response = await confirm(payment.orderId);
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it('answers 409 when Step Functions knows no task by the stored token', async () => {
    const payment = await table.seed(
      aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'a-token-never-issued' }),
    );
    const response = await confirm(payment.orderId);
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it('delivers a recorded confirmation again when the first answer did not reach the workflow', async () => {
    const { payment, taskToken, executionArn } = await awaitedTransfer();
    const { orderId } = payment;
    expect((await confirmWith(withStepFunctionsDown, orderId)).status).toBe(500);
    const [recorded] = await table.itemsOf(orderId);
    expect(recorded).toMatchObject({ status: 'TRANSFER_CONFIRMED' });
    expect(await workflow.isWaiting(taskToken)).toBe(true);
    expect(await confirm(orderId)).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { orderId, confirmedAt: recorded?.updatedAt },
    });
    expect(await table.itemsOf(orderId)).toEqual([recorded]);
  });
});
