import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { createTestQueue, createTestTable, drainQueue } from '@shop/testing/resources';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newTaskToken } from '../../src/stepfunctions/task-tokens.ts';
import {
  capturedEvents,
  eventually,
  functionNames,
  inMemoryInvoker,
  type LocalFunction,
  namedError,
  paymentWorkflow,
  startTestService,
  stateMachineArn,
  type TestService,
} from './fixtures.ts';

const WORKFLOW_ARN = stateMachineArn('PaymentWorkflow');
const MAX_ATTEMPTS = 3;
/** Authorization failures of `tok_flaky` before it approves: exactly the retries the workflow allows. */
const FLAKY_FAILURES = MAX_ATTEMPTS;

/** The bank-transfer tokens the AwaitBankTransfer function was given, by order. */
const transferTokens = new Map<string, string>();
const functions: Record<string, LocalFunction> = {
  AuthorizeFunction(event) {
    const { orderId, token, retryCount } = event as { orderId: string; token: string; retryCount: number };
    if (token === 'tok_declined') throw namedError('CardDeclinedError', 'The card was declined');
    if (token === 'tok_outage' || (token === 'tok_flaky' && retryCount < FLAKY_FAILURES)) {
      throw namedError('ProviderUnavailableError', `The provider is unavailable (retry ${retryCount})`);
    }
    return { authorizationId: `auth-${orderId}` };
  },
  AwaitBankTransferFunction(event) {
    const { orderId, taskToken } = event as { orderId: string; taskToken: string };
    transferTokens.set(orderId, taskToken);
    return { ignored: 'the workflow waits for the token, not for this result' };
  },
  CaptureFunction(event) {
    return { captureId: `cap-${(event as { orderId: string }).orderId}` };
  },
};

let test: TestService;
let invoker: ReturnType<typeof inMemoryInvoker>;
let events: ReturnType<typeof capturedEvents>;
let tableName: string;
let queueUrl: string;
const dynamodb = new DynamoDBClient(awsClientConfig('dynamodb'));

beforeAll(async () => {
  tableName = await createTestTable({ envVar: 'PAYMENTS_TABLE', partitionKey: 'orderId' });
  queueUrl = (await createTestQueue('INVOICE_REQUESTS_QUEUE_URL')).url;
  invoker = inMemoryInvoker(functions);
  events = capturedEvents();
  test = await startTestService({
    stateMachines: [
      { arn: WORKFLOW_ARN, name: 'PaymentWorkflow', definition: paymentWorkflow({ tableName, queueUrl }) },
    ],
    invoker,
    functionNameFromArn: functionNames(functions),
    putEvents: events.putEvents,
    retryIntervalScale: 0.01,
    // The 60 s bank-transfer timeout becomes 3 s: short enough for the timeout test, long enough
    // that a transfer confirmed right away is not overtaken by it on a busy machine.
    taskTimeoutScale: 0.05,
  });
});

afterAll(async () => {
  await test.stop();
  dynamodb.destroy();
});

beforeEach(() => {
  invoker.calls.length = 0;
  events.entries.length = 0;
});

const order = (payment: { method: string; token?: string }) => ({
  orderId: `ord-${randomUUID()}`,
  amount: 4200,
  currency: 'EUR',
  payment,
  correlationId: `corr-${randomUUID()}`,
});

async function start(input: { orderId: string }): Promise<string> {
  const { executionArn } = await test.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: WORKFLOW_ARN,
      name: input.orderId,
      input: JSON.stringify(input),
    }),
  );
  return executionArn as string;
}

/** DescribeExecution through the real SDK, once the execution has ended. */
async function ended(executionArn: string) {
  return eventually(async () => {
    const execution = await test.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });
}

async function paymentItem(orderId: string) {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
  );
  return Item;
}

const authorizeRetryCounts = () =>
  invoker.callsOf('AuthorizeFunction').map((event) => (event as { retryCount: number }).retryCount);

describe('the payment workflow on the local Step Functions', () => {
  it('captures a card payment, records it, announces it and requests the invoice', async () => {
    const input = order({ method: 'card', token: 'tok_visa' });
    const executionArn = await start(input);

    const execution = await ended(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output as string);
    expect(output.authorization).toEqual({ authorizationId: `auth-${input.orderId}` });
    expect(output.capture).toEqual({ captureId: `cap-${input.orderId}` });
    expect(output.captured).toEqual({ status: 'CAPTURED' });
    const item = await paymentItem(input.orderId);
    expect(item?.status).toEqual({ S: 'CAPTURED' });
    expect(item?.captureId).toEqual({ S: `cap-${input.orderId}` });
    expect(Date.parse(item?.updatedAt?.S ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(events.entries).toHaveLength(1);
    const [published] = events.entries;
    expect(published).toMatchObject({
      EventBusName: expect.stringContaining('shop-bus'),
      DetailType: 'ChargeCaptured',
    });
    expect(published?.Resources).toEqual([executionArn, WORKFLOW_ARN]);
    expect(JSON.parse(published?.Detail ?? '')).toMatchObject({
      orderId: input.orderId,
      captureId: `cap-${input.orderId}`,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const messages = await drainQueue(queueUrl);
    expect(messages).toEqual([
      { type: 'SendReceipt', orderId: input.orderId, captureId: `cap-${input.orderId}` },
    ]);
    expect(output.invoiceRequest.messageId).toEqual(expect.any(String));
  });

  it('retries a transient provider failure MaxAttempts times, with the retry count, then succeeds', async () => {
    const input = order({ method: 'card', token: 'tok_flaky' });
    const startedAt = Date.now();

    const execution = await ended(await start(input));

    expect(execution.status).toBe('SUCCEEDED');
    expect(authorizeRetryCounts()).toEqual([0, 1, 2, 3]);
    // 10 + 20 + 40 ms at most with retryIntervalScale 0.01, instead of 1 + 2 + 4 s.
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    await drainQueue(queueUrl);
  });

  it('catches the provider failure once the retries are exhausted, and records the failure', async () => {
    const input = order({ method: 'card', token: 'tok_outage' });

    const execution = await ended(await start(input));

    expect(invoker.callsOf('AuthorizeFunction')).toHaveLength(MAX_ATTEMPTS + 1);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ChargeFailed' });
    expect((await paymentItem(input.orderId))?.reason).toEqual({ S: 'provider_unavailable' });
    expect(events.entries.map((entry) => entry.DetailType)).toEqual(['ChargeFailed']);
    expect(JSON.parse(events.entries[0]?.Detail ?? '')).toEqual({
      orderId: input.orderId,
      reason: 'provider_unavailable',
      error: 'ProviderUnavailableError',
    });
  });

  it('catches a declined card without retrying it, with Lambda’s error as the cause', async () => {
    const input = order({ method: 'card', token: 'tok_declined' });
    const executionArn = await start(input);

    const execution = await ended(executionArn);

    expect(invoker.callsOf('AuthorizeFunction')).toHaveLength(1);
    expect(execution.status).toBe('FAILED');
    expect((await paymentItem(input.orderId))?.status).toEqual({ S: 'FAILED' });
    expect((await paymentItem(input.orderId))?.reason).toEqual({ S: 'card_declined' });
    const { events: history = [] } = await test.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const failure = history.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails;
    expect(failure).toMatchObject({ resourceType: 'lambda', resource: 'invoke', error: 'CardDeclinedError' });
    expect(JSON.parse(failure?.cause ?? '')).toMatchObject({ errorMessage: 'The card was declined' });
  });

  it('catches a failed conditional putItem by its Step Functions error name', async () => {
    const input = order({ method: 'card', token: 'tok_visa' });
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { orderId: { S: input.orderId }, status: { S: 'CANCELLED' } },
      }),
    );
    const executionArn = await start(input);

    const execution = await ended(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output as string).error).toMatchObject({
      Error: 'DynamoDB.ConditionalCheckFailedException',
      Cause: expect.stringContaining('Service: DynamoDb, Status Code: 400'),
    });
    expect(invoker.callsOf('AuthorizeFunction')).toHaveLength(0);
    expect((await paymentItem(input.orderId))?.status).toEqual({ S: 'CANCELLED' });
  });

  it('waits for a bank transfer until SendTaskSuccess resumes it with the given output', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(input);
    const taskToken = await eventually(() => transferTokens.get(input.orderId));
    expect((await test.sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await test.sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ confirmedAt: 'now' }) }),
    );
    const execution = await ended(executionArn);

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output as string).transfer).toEqual({ confirmedAt: 'now' });
    expect((await paymentItem(input.orderId))?.status).toEqual({ S: 'CAPTURED' });
    // A token is answered once: the second answer finds the task over, as on AWS.
    await expect(
      test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    await drainQueue(queueUrl);
  });

  it('fails a waiting bank transfer through SendTaskFailure, caught by its error name', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(input);
    const taskToken = await eventually(() => transferTokens.get(input.orderId));

    await test.sfn.send(
      new SendTaskFailureCommand({
        taskToken,
        error: 'CheckoutCancelled',
        cause: 'cancelled by the customer',
      }),
    );
    const execution = await ended(executionArn);

    expect(execution).toMatchObject({ status: 'FAILED', error: 'ChargeFailed' });
    expect((await paymentItem(input.orderId))?.reason).toEqual({ S: 'cancelled' });
    expect(invoker.callsOf('CaptureFunction')).toHaveLength(0);
  });

  it('times a bank transfer out after its (scaled) TimeoutSeconds with States.Timeout', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(input);
    const taskToken = await eventually(() => transferTokens.get(input.orderId));

    const execution = await ended(executionArn);

    expect(execution.status).toBe('FAILED');
    expect((await paymentItem(input.orderId))?.reason).toEqual({ S: 'bank_transfer_timeout' });
    expect(JSON.parse(events.entries[0]?.Detail ?? '')).toMatchObject({ error: 'States.Timeout' });
    const { events: history = [] } = await test.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.map((event) => event.type)).toContain('TaskTimedOut');
    await expect(
      test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('refuses a second execution with the same name as ExecutionAlreadyExists', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(input);

    // The same start while it runs is the same execution (AWS's idempotent StartExecution)...
    await expect(start(input)).resolves.toBe(executionArn);
    // ...another input under the same name is refused.
    await expect(start({ ...input, amount: 1 } as typeof input)).rejects.toBeInstanceOf(
      ExecutionAlreadyExists,
    );

    const taskToken = await eventually(() => transferTokens.get(input.orderId));
    await test.sfn.send(new SendTaskFailureCommand({ taskToken, error: 'CheckoutCancelled', cause: 'test' }));
    await ended(executionArn);
    // Once it ended, even the same input is refused.
    await expect(start(input)).rejects.toThrow(ExecutionAlreadyExists);
  });

  it('answers TaskDoesNotExist for a well-formed token no task of it waits on', async () => {
    const answer = test.sfn.send(new SendTaskSuccessCommand({ taskToken: newTaskToken(), output: '{}' }));

    await expect(answer).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('logs a failed execution under the state machine’s name, with its correlation id', async () => {
    const input = order({ method: 'card', token: 'tok_declined' });
    const executionArn = await start(input);
    await ended(executionArn);

    const entry = await eventually(() =>
      test.logs.find((log) => log.level === 'ERROR' && log.fields?.executionArn === executionArn),
    );

    expect(entry).toMatchObject({
      source: 'PaymentWorkflow',
      correlationId: input.correlationId,
      message: expect.stringContaining('ChargeFailed'),
    });
  });
});
