import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import {
  createStepFunctionsService,
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
} from '../../src/stepfunctions/stepfunctions-service.ts';

/**
 * CreateStateMachine (for the services' tests, which set up their own state machines) and the
 * `sqs:sendMessage.waitForTaskToken` callback those state machines use: their tests have no Lambda
 * runtime to hand a token to, so the token goes to a queue on the test run's fauxqs.
 */
const region = 'us-east-1';
const accountId = '000000000000';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const roleArn = `arn:aws:iam::${accountId}:role/test`;

const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
if (!sqsEndpoint) throw new Error('AWS_ENDPOINT_URL_SQS is not set: the test setup points it at fauxqs');
const sqs = new SQSClient({ endpoint: sqsEndpoint, region, credentials, useQueueUrlAsEndpoint: false });

let service: StepFunctionsService | undefined;
let client: SFNClient | undefined;

afterEach(async () => {
  client?.destroy();
  client = undefined;
  await service?.stop();
  service = undefined;
});

async function start(overrides: Partial<StepFunctionsServiceOptions> = {}) {
  const logs: LogEntry[] = [];
  service = await createStepFunctionsService({
    stateMachines: [],
    invoker: { invoke: () => Promise.reject(new Error('No function runs in these tests')) },
    functionNameFromArn: () => undefined,
    clients: { dynamodb: new DynamoDBClient({ region, credentials }), sqs },
    putEvents: () => Promise.reject(new Error('No event is put in these tests')),
    log: (entry) => logs.push(entry),
    region,
    accountId,
    ...overrides,
  });
  client = new SFNClient({ endpoint: service.endpoint, region, credentials, maxAttempts: 1 });
  return { client, logs };
}

let queues = 0;
async function callbackQueue(): Promise<string> {
  queues += 1;
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `sfn-callbacks-${process.pid}-${Date.now()}-${queues}` }),
  );
  return QueueUrl as string;
}

/**
 * One task that sends its token to a queue and waits; the answer is kept beside the input
 * (ResultPath), as the payment workflow keeps its bank-transfer confirmation.
 */
const awaitCallback = (queueUrl: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    StartAt: 'AwaitCallback',
    States: {
      AwaitCallback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        ResultPath: '$.callback',
        End: true,
        Parameters: {
          QueueUrl: queueUrl,
          MessageBody: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' },
        },
        ...extra,
      },
    },
  });

async function receiveOne(queueUrl: string): Promise<{ orderId: string; taskToken: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    const [message] = Messages;
    if (message) return JSON.parse(message.Body ?? 'null');
  }
  throw new Error(`No message arrived on ${queueUrl}`);
}

async function ended(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${executionArn} did not end`);
}

describe('state machines a test run creates', () => {
  it('creates a state machine with the real client, whose callback task sends its token to a queue and waits for it', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const queueUrl = await callbackQueue();
    const created = await client.send(
      new CreateStateMachineCommand({ name: 'Callbacks', definition: awaitCallback(queueUrl), roleArn }),
    );
    expect(created.stateMachineArn).toBe(`arn:aws:states:${region}:${accountId}:stateMachine:Callbacks`);
    expect(created.creationDate).toBeInstanceOf(Date);

    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: created.stateMachineArn,
        name: 'ord_1',
        input: JSON.stringify({ orderId: 'ord_1' }),
      }),
    );
    const callback = await receiveOne(queueUrl);
    expect(callback).toEqual({ orderId: 'ord_1', taskToken: expect.any(String) });
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');

    await client.send(
      new SendTaskSuccessCommand({ taskToken: callback.taskToken, output: JSON.stringify({ paid: true }) }),
    );
    expect(await ended(client, executionArn as string)).toMatchObject({
      status: 'SUCCEEDED',
      output: JSON.stringify({ orderId: 'ord_1', callback: { paid: true } }),
    });
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: callback.taskToken, output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('fails the callback task with the error and cause of SendTaskFailure', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const queueUrl = await callbackQueue();
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({ name: 'Callbacks', definition: awaitCallback(queueUrl), roleArn }),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ orderId: 'ord_2' }) }),
    );
    const { taskToken } = await receiveOne(queueUrl);
    await client.send(
      new SendTaskFailureCommand({ taskToken, error: 'CheckoutCancelled', cause: 'cancelled' }),
    );
    expect(await ended(client, executionArn as string)).toMatchObject({
      status: 'FAILED',
      error: 'CheckoutCancelled',
      cause: 'cancelled',
    });
  });

  it('fails the callback task at once when its message cannot be sent, naming the SQS error', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const missingQueue = `${await callbackQueue()}-that-does-not-exist`;
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({ name: 'Callbacks', definition: awaitCallback(missingQueue), roleArn }),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ orderId: 'ord_3' }) }),
    );
    const execution = await ended(client, executionArn as string);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('SQS.QueueDoesNotExist');
  });

  it('answers a repeated creation with the same state machine, and refuses another definition under its name', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const queueUrl = await callbackQueue();
    const create = (definition: string) =>
      client.send(new CreateStateMachineCommand({ name: 'Callbacks', definition, roleArn }));
    const first = await create(awaitCallback(queueUrl));
    const repeated = await create(awaitCallback(queueUrl));
    expect(repeated).toMatchObject({
      stateMachineArn: first.stateMachineArn,
      creationDate: first.creationDate,
    });
    await expect(create(awaitCallback(queueUrl, { TimeoutSeconds: 5 }))).rejects.toMatchObject({
      name: 'StateMachineAlreadyExists',
    });
  });

  it('describes a created state machine with the definition text, role and configurations it was given', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const definition = awaitCallback(await callbackQueue()).replace('{', '{\n  ');
    const loggingConfiguration = { level: 'ALL' as const, includeExecutionData: true };
    const tracingConfiguration = { enabled: true };
    const { stateMachineArn, creationDate } = await client.send(
      new CreateStateMachineCommand({
        name: 'Callbacks',
        definition,
        roleArn,
        loggingConfiguration,
        tracingConfiguration,
      }),
    );

    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const { stateMachines } = await client.send(new ListStateMachinesCommand({}));

    expect(described).toMatchObject({
      stateMachineArn,
      name: 'Callbacks',
      status: 'ACTIVE',
      definition,
      roleArn,
      type: 'STANDARD',
      creationDate,
      loggingConfiguration,
      tracingConfiguration,
    });
    expect(stateMachines).toEqual([{ stateMachineArn, name: 'Callbacks', type: 'STANDARD', creationDate }]);
  });

  it('refuses a definition it would not run as AWS does, a Lambda task with no runtime, and a bad name', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const create = (name: string, definition: string) =>
      client.send(new CreateStateMachineCommand({ name, definition, roleArn }));
    await expect(create('NotJson', '{')).rejects.toMatchObject({ name: 'InvalidDefinition' });
    const lambdaTask = JSON.stringify({
      StartAt: 'Authorize',
      States: {
        Authorize: {
          Type: 'Task',
          Resource: `arn:aws:lambda:${region}:${accountId}:function:Authorize`,
          End: true,
        },
      },
    });
    await expect(create('WithLambda', lambdaTask)).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: expect.stringContaining('is not a function of this app'),
    });
    await expect(create('has spaces', awaitCallback('unused'))).rejects.toMatchObject({
      name: 'InvalidName',
    });
  });

  it('refuses CreateStateMachine unless asked to, since the local cloud takes its state machines from the template', async () => {
    const { client } = await start();
    await expect(
      client.send(
        new CreateStateMachineCommand({ name: 'Callbacks', definition: awaitCallback('unused'), roleArn }),
      ),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});

describe('an execution name, across a restart on the --persist folder', () => {
  it('stays taken once its execution ended, so a start redelivered after the restart runs nothing twice', async () => {
    const persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    try {
      const machine = {
        arn: `arn:aws:states:${region}:${accountId}:stateMachine:Restarted`,
        name: 'Restarted',
        definition: { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } },
      };
      const first = await start({ stateMachines: [machine], persistDir });
      const { executionArn } = await first.client.send(
        new StartExecutionCommand({ stateMachineArn: machine.arn, name: 'ord_1', input: '{}' }),
      );
      expect((await ended(first.client, executionArn as string)).status).toBe('SUCCEEDED');
      await service?.stop();

      const second = await start({ stateMachines: [machine], persistDir });
      const again = (name: string) =>
        second.client.send(new StartExecutionCommand({ stateMachineArn: machine.arn, name, input: '{}' }));
      await expect(again('ord_1')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
      expect((await again('ord_2')).executionArn).toContain(':ord_2');
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  });
});
