import { SendTaskSuccessCommand, SFNClient, TaskTimedOut } from '@aws-sdk/client-sfn';
import { httpEvent, lambdaContext } from '@shop/shared/testing/events';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

// Step Functions is mocked: SendTaskSuccess needs the token of a task an execution waits on, and the
// local Step Functions (apps/local) hands tokens only to its Lambda runtime, which handler tests do
// not run; the end-to-end tests confirm a transfer for real.
const stepFunctions = mockClient(SFNClient);
beforeEach(() => stepFunctions.reset());

const table = await createPaymentsTable();
const { handler } = await import('../src/handlers/confirm-bank-transfer.ts');

const confirm = async (orderId: string) => {
  const response = await handler(
    httpEvent({ method: 'POST', route: '/payments/{orderId}/confirm', pathParameters: { orderId } }),
    lambdaContext(),
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};
const awaitedTransfer = () =>
  table.seed(aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'token-1' }));
const taskSuccesses = () =>
  stepFunctions.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input);

describe('POST /payments/{orderId}/confirm', () => {
  it('records the confirmation and resumes the workflow with the stored token: 202', async () => {
    const { orderId } = await awaitedTransfer();
    const response = await confirm(orderId);
    expect(response).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    const [stored] = await table.itemsOf(orderId);
    expect(stored).toMatchObject({ status: 'TRANSFER_CONFIRMED', taskToken: 'token-1' });
    expect(taskSuccesses()).toEqual([
      { taskToken: 'token-1', output: JSON.stringify({ orderId, confirmedAt: stored?.updatedAt }) },
    ]);
  });

  it('answers 404 for an order without a payment', async () => {
    const response = await confirm('ord_unknown');
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(taskSuccesses()).toEqual([]);
  });

  it.each(['STARTED', 'CAPTURED', 'CANCELLED'] as const)(
    'answers 409 when the payment is %s, because no transfer is awaited',
    async (status) => {
      const payment = await table.seed(aPayment({ method: 'bank_transfer', status }));
      const response = await confirm(payment.orderId);
      expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
      expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
      expect(taskSuccesses()).toEqual([]);
    },
  );

  it('answers 409 when Step Functions says the waiting task timed out', async () => {
    stepFunctions
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const { orderId } = await awaitedTransfer();
    const response = await confirm(orderId);
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(taskSuccesses()).toHaveLength(1);
  });

  it('delivers a recorded confirmation again when the first answer did not reach the workflow', async () => {
    stepFunctions.on(SendTaskSuccessCommand).rejectsOnce(new Error('socket hang up')).resolves({});
    const { orderId } = await awaitedTransfer();
    expect((await confirm(orderId)).status).toBe(500);
    expect(await confirm(orderId)).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    const [first, second] = taskSuccesses();
    expect(second).toEqual(first);
  });
});
