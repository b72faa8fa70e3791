import { randomUUID } from 'node:crypto';
import {
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SFNClient,
  TestStateCommand,
  type TestStateCommandInput,
} from '@aws-sdk/client-sfn';
import { COMMANDS } from '@shop/contracts/commands';
import type { LocalCloud } from '@shop/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrder, awsClients, startTestCloud } from './e2e-support.ts';

/**
 * Single states of the synthesized payment workflow, tested with TestState as a user tests them on
 * AWS: the definition and role come from DescribeStateMachine, the state is named by stateName,
 * and the Task states are mocked unless the test means the real integration.
 */
let cloud: LocalCloud;
let sfn: SFNClient;
let workflow: { definition: string; roleArn: string };
let clients: ReturnType<typeof awsClients>;

beforeAll(async () => {
  // The template's intervals: DescribeStateMachine reports a scaled cloud's scaled ones, and TestState
  // reports its backoff in whole seconds, as AWS does.
  cloud = await startTestCloud(() => undefined, { retryIntervalScale: 1 });
  sfn = localStepFunctions(cloud.endpoints.sfn);
  const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
  const listed = stateMachines.find((machine) => machine.name?.endsWith('-payment-workflow'));
  const described = await sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: listed?.stateMachineArn }),
  );
  workflow = { definition: described.definition ?? '', roleArn: described.roleArn ?? '' };
  clients = awsClients(cloud);
});
afterAll(() => {
  sfn?.destroy();
  clients?.dynamodb.destroy();
  clients?.sqs.destroy();
  return cloud?.stop();
});

/** A client of the local endpoint as a user sets one up: TestState's `sync-` host prefix turned off. */
function localStepFunctions(endpoint: string): SFNClient {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return new SFNClient({ endpoint, region: 'eu-west-1', credentials, disableHostPrefix: true });
}

/** The workflow's input: the RequestPayment command's data and its correlation id. */
function paymentInput(overrides: Record<string, unknown> = {}) {
  return {
    orderId: `ord_${randomUUID()}`,
    customerId: 'cus_states',
    amount: 2999,
    correlationId: randomUUID(),
    ...anOrder(),
    ...overrides,
  };
}

const testState = (stateName: string, input: unknown, request: Partial<TestStateCommandInput> = {}) =>
  sfn.send(
    new TestStateCommand({
      definition: workflow.definition,
      stateName,
      input: JSON.stringify(input),
      ...request,
    }),
  );
const json = (text: string | undefined): unknown => JSON.parse(text ?? 'null');

/** Where the state's retrier of this error is in its Retry list (CDK puts its own Lambda retrier first). */
function retrierOf(
  stateName: string,
  error: string,
): { index: number; IntervalSeconds: number; BackoffRate: number } {
  const { States } = JSON.parse(workflow.definition) as {
    States: Record<
      string,
      { Retry?: { ErrorEquals: string[]; IntervalSeconds: number; BackoffRate: number }[] }
    >;
  };
  const retry = States[stateName]?.Retry ?? [];
  const index = retry.findIndex((retrier) => retrier.ErrorEquals.includes(error));
  const retrier = retry[index];
  if (!retrier) throw new Error(`${stateName} has no retrier of ${error}`);
  return { index, ...retrier };
}

describe('the payment workflow, one state at a time with TestState', () => {
  it('retries Authorize when the provider is unavailable, with the backoff of its retrier for that error', async () => {
    const unavailable = { error: 'ProviderUnavailableError', cause: 'The provider did not answer' };
    const first = await testState('Authorize', paymentInput(), {
      inspectionLevel: 'DEBUG',
      mock: { errorOutput: unavailable },
    });
    const third = await testState('Authorize', paymentInput(), {
      inspectionLevel: 'DEBUG',
      mock: { errorOutput: unavailable },
      stateConfiguration: { retrierRetryCount: 2 },
    });

    const retrier = retrierOf('Authorize', 'ProviderUnavailableError');
    expect(first).toMatchObject({ status: 'RETRIABLE', error: 'ProviderUnavailableError' });
    expect(first.inspectionData?.errorDetails).toEqual({
      retryIndex: retrier.index,
      retryBackoffIntervalSeconds: retrier.IntervalSeconds,
    });
    expect(third.inspectionData?.errorDetails).toEqual({
      retryIndex: retrier.index,
      retryBackoffIntervalSeconds: retrier.IntervalSeconds * retrier.BackoffRate ** 2,
    });
  });

  it('records an unavailable provider as the failure once Authorize has spent its retries', async () => {
    const answer = await testState('Authorize', paymentInput(), {
      inspectionLevel: 'DEBUG',
      mock: { errorOutput: { error: 'ProviderUnavailableError', cause: 'Still down' } },
      stateConfiguration: { retrierRetryCount: 4 },
    });

    expect(answer).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'ProviderUnavailable' });
    expect(answer.inspectionData?.errorDetails).toMatchObject({
      retryIndex: retrierOf('Authorize', 'ProviderUnavailableError').index,
    });
  });

  it('sends a declined card to the state that records the failure, the error in the state', async () => {
    const input = paymentInput();
    const answer = await testState('Authorize', input, {
      mock: { errorOutput: { error: 'CardDeclinedError', cause: 'Insufficient funds' } },
    });

    expect(answer).toMatchObject({
      status: 'CAUGHT_ERROR',
      error: 'CardDeclinedError',
      nextState: 'CardDeclined',
    });
    expect(json(answer.output)).toEqual({
      ...input,
      error: { Error: 'CardDeclinedError', Cause: 'Insufficient funds' },
    });
  });

  it('takes the bank-transfer branch of the payment-method choice', async () => {
    const answer = await testState('PaymentMethod', paymentInput({ payment: { method: 'bank_transfer' } }));

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'AwaitBankTransfer' });
  });

  it('records the attempt in the Payments table with the DynamoDB parameters DEBUG shows', async () => {
    const input = paymentInput();
    const answer = await testState('RecordAttempt', input, {
      roleArn: workflow.roleArn,
      inspectionLevel: 'DEBUG',
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'PaymentMethod' });
    expect(json(answer.output)).toEqual(input);
    const { table, paymentItem } = clients;
    const parameters = json(answer.inspectionData?.afterParameters) as {
      TableName: string;
      Item: Record<string, unknown>;
    };
    expect(parameters.TableName).toBe(table('payments'));
    expect(parameters.Item).toMatchObject({
      orderId: { S: input.orderId },
      status: { S: 'STARTED' },
      method: { S: 'card' },
      amount: { N: '2999' },
      currency: { S: 'EUR' },
      attempts: { N: '0' },
      execution: { S: expect.stringMatching(/^arn:aws:states:/) },
    });
    // Not mocked: the state really wrote the item.
    expect(await paymentItem(input.orderId)).toMatchObject({ orderId: input.orderId, status: 'STARTED' });
  });

  it('builds the IssueInvoice message body from the state input', async () => {
    const input = { ...paymentInput(), capture: { captureId: 'cap_states' } };
    const answer = await testState('RequestInvoice', input, {
      inspectionLevel: 'DEBUG',
      mock: {
        result: JSON.stringify({
          MessageId: randomUUID(),
          MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
        }),
      },
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'PaymentCompleted' });
    const { MessageBody, QueueUrl } = json(answer.inspectionData?.afterParameters) as {
      MessageBody: Record<string, unknown>;
      QueueUrl: string;
    };
    expect(QueueUrl).toBe(clients.queue('invoice-requests'));
    expect(MessageBody).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: COMMANDS.IssueInvoice.type,
      version: 1,
      correlationId: input.correlationId,
      data: {
        orderId: input.orderId,
        customerId: input.customerId,
        currency: input.currency,
        items: input.items,
        captureId: 'cap_states',
      },
    });
  });
});
