import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskHeartbeatCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '@shop/shared/aws-clients';

/** A table as a test needs it: its key and indexes, and the variable that carries its name. */
export interface TestTable {
  envVar: string;
  partitionKey: string;
  sortKey?: string;
  indexes?: { name: string; partitionKey: string; sortKey?: string }[];
}

const unique = (base: string): string => `${base}-${randomUUID().slice(0, 8)}`;

let dynamo: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
const dynamoClient = () => {
  dynamo ??= DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig('dynamodb')));
  return dynamo;
};
const sqsClient = () => {
  sqs ??= new SQSClient(awsClientConfig('sqs'));
  return sqs;
};
let stepFunctions: SFNClient | undefined;
const stepFunctionsClient = () => {
  stepFunctions ??= new SFNClient(awsClientConfig('sfn'));
  return stepFunctions;
};
let eventBridge: EventBridgeClient | undefined;
const eventBridgeClient = () => {
  eventBridge ??= new EventBridgeClient(awsClientConfig('eventbridge'));
  return eventBridge;
};

/** Creates a uniquely named table on the emulator, sets its env variable, and returns the name. */
export async function createTestTable(table: TestTable): Promise<string> {
  const name = unique(table.envVar.toLowerCase().replace(/_/g, '-'));
  const keyNames = new Set([table.partitionKey, table.sortKey]);
  for (const index of table.indexes ?? []) keyNames.add(index.partitionKey).add(index.sortKey);
  keyNames.delete(undefined);
  const keySchema = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes: GlobalSecondaryIndex[] = (table.indexes ?? []).map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: { ProjectionType: 'ALL' },
  }));
  await dynamoClient().send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: keySchema(table.partitionKey, table.sortKey),
      AttributeDefinitions: [...keyNames].map(
        (attribute): AttributeDefinition => ({ AttributeName: attribute as string, AttributeType: 'S' }),
      ),
      ...(indexes.length > 0 ? { GlobalSecondaryIndexes: indexes } : {}),
    }),
  );
  process.env[table.envVar] = name;
  return name;
}

/** Every item in a table (the tables of a test are small). */
export async function scanTable(tableName: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await dynamoClient().send(
    new ScanCommand({ TableName: tableName, ConsistentRead: true }),
  );
  return Items;
}

export interface TestQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

/** Creates a uniquely named queue with a DLQ on the emulator and sets `envVar` to its URL. */
export async function createTestQueue(
  envVar: string,
  options: { maxReceiveCount?: number } = {},
): Promise<TestQueue> {
  const base = unique(envVar.toLowerCase().replace(/_/g, '-').replace(/-url$/, ''));
  const dlq = await sqsClient().send(new CreateQueueCommand({ QueueName: `${base}-dlq` }));
  const dlqArn = await queueArn(dlq.QueueUrl as string);
  const queue = await sqsClient().send(
    new CreateQueueCommand({
      QueueName: base,
      Attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: options.maxReceiveCount ?? 3,
        }),
      },
    }),
  );
  const url = queue.QueueUrl as string;
  process.env[envVar] = url;
  return { url, arn: await queueArn(url), dlqUrl: dlq.QueueUrl as string };
}

async function queueArn(url: string): Promise<string> {
  const { Attributes } = await sqsClient().send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

/** Receives (and leaves invisible) every message now in a queue; bodies parsed as JSON. */
export async function drainQueue(queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages = [] } = await sqsClient().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return bodies;
    for (const message of Messages) bodies.push(JSON.parse(message.Body ?? 'null'));
  }
}

/** An event as EventBridge delivers it to a rule's target, carrying what the publisher put. */
export interface ArrivedEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: Record<string, unknown>;
}

export interface TestBus {
  name: string;
  /**
   * Every event that arrived on the bus since the test file started or `clear()`, in order. It first
   * puts a marker event and waits until the marker arrives (deadline 10 s): the test EventBridge
   * delivers in order, so everything put before the call has arrived by then.
   */
  events(): Promise<ArrivedEvent[]>;
  /** Forgets the events that arrived so far (and waits for those still on their way). */
  clear(): Promise<void>;
}

const MARKER_SOURCE = 'serverless-commerce.test-marker';
const ARRIVAL_DEADLINE_MS = 10_000;

/**
 * Creates a uniquely named bus on the test EventBridge, with a rule that sends every event on it to
 * a queue of its own, and sets `envVar` to the bus name. Handlers then publish for real, and the
 * test reads what arrived, as a subscriber to the bus would.
 */
export async function createTestBus(envVar = 'EVENT_BUS_NAME'): Promise<TestBus> {
  const name = unique('test-bus');
  const { QueueUrl } = await sqsClient().send(new CreateQueueCommand({ QueueName: `${name}-events` }));
  const queueUrl = QueueUrl as string;
  await eventBridgeClient().send(new CreateEventBusCommand({ Name: name }));
  await eventBridgeClient().send(
    new PutRuleCommand({
      Name: 'EverythingToTestQueue',
      EventBusName: name,
      // Every EventBridge event has version "0": this pattern matches them all.
      EventPattern: JSON.stringify({ version: ['0'] }),
    }),
  );
  await eventBridgeClient().send(
    new PutTargetsCommand({
      Rule: 'EverythingToTestQueue',
      EventBusName: name,
      Targets: [{ Id: 'TestQueue', Arn: await queueArn(queueUrl) }],
    }),
  );
  process.env[envVar] = name;

  let arrived: ArrivedEvent[] = [];
  const receiveUntilMarker = async () => {
    const marker = randomUUID();
    const put = await eventBridgeClient().send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: name,
            Source: MARKER_SOURCE,
            DetailType: 'Marker',
            Detail: JSON.stringify({ marker }),
          },
        ],
      }),
    );
    if (put.FailedEntryCount) throw new Error(`The test bus ${name} refused its marker event`);
    // performance.now, not Date: a test may fake Date while it waits here.
    const deadline = performance.now() + ARRIVAL_DEADLINE_MS;
    for (;;) {
      const { Messages = [] } = await sqsClient().send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length > 0) {
        await sqsClient().send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle as string,
            })),
          }),
        );
      }
      let markerArrived = false;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? 'null') as ArrivedEvent;
        if (event.source !== MARKER_SOURCE) arrived.push(event);
        else if (event.detail.marker === marker) markerArrived = true;
      }
      if (markerArrived) return;
      if (performance.now() > deadline) {
        throw new Error(`The marker event put on ${name} did not arrive within ${ARRIVAL_DEADLINE_MS} ms`);
      }
    }
  };
  return {
    name,
    async events() {
      await receiveUntilMarker();
      return [...arrived];
    },
    async clear() {
      await receiveUntilMarker();
      arrived = [];
    },
  };
}

/** An execution as DescribeExecution reports it; input and output parsed from their JSON. */
export interface TestExecution {
  executionArn: string;
  name: string;
  status: string;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface TestWorkflow {
  stateMachineArn: string;
  /**
   * Starts an execution and returns it with the token of the task it waits on, read from the queue
   * its callback task sent the token to, as the consumer of a callback reads it.
   */
  start(name: string, input?: unknown): Promise<{ executionArn: string; taskToken: string }>;
  /** The executions of the state machine, oldest first. */
  executions(): Promise<TestExecution[]>;
  /** The execution once it ended (deadline 10 s): how it ended, and with what output or error. */
  ended(executionArn: string): Promise<TestExecution>;
  /** Whether the task holding this token still waits for its answer (a SendTaskHeartbeat succeeds). */
  isWaiting(taskToken: string): Promise<boolean>;
}

/**
 * Creates a uniquely named state machine on the test Step Functions whose one task waits for a
 * callback (`sqs:sendMessage.waitForTaskToken`, with the execution's ARN and `$$.Task.Token` in the
 * message), and sets `envVar`, when given, to its ARN. Handlers then start executions and answer
 * tokens for real; the execution's output is the output its task was answered with, and a
 * SendTaskFailure fails it with the error and cause given.
 */
export async function createTestWorkflow(
  options: { envVar?: string; callbackTimeoutSeconds?: number } = {},
): Promise<TestWorkflow> {
  const name = unique('test-workflow');
  const { QueueUrl } = await sqsClient().send(new CreateQueueCommand({ QueueName: `${name}-callbacks` }));
  const queueUrl = QueueUrl as string;
  const definition = {
    StartAt: 'AwaitCallback',
    States: {
      AwaitCallback: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: {
          QueueUrl: queueUrl,
          MessageBody: { 'executionArn.$': '$$.Execution.Id', 'taskToken.$': '$$.Task.Token' },
        },
        ...(options.callbackTimeoutSeconds === undefined
          ? {}
          : { TimeoutSeconds: options.callbackTimeoutSeconds }),
        End: true,
      },
    },
  };
  const { stateMachineArn } = await stepFunctionsClient().send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::000000000000:role/test-workflow',
    }),
  );
  const arn = stateMachineArn as string;
  if (options.envVar) process.env[options.envVar] = arn;

  const tokens = new Map<string, string>();
  const tokenOf = async (executionArn: string): Promise<string> => {
    const deadline = performance.now() + ARRIVAL_DEADLINE_MS;
    for (;;) {
      const token = tokens.get(executionArn);
      if (token) return token;
      if (performance.now() > deadline) {
        throw new Error(`No task token of ${executionArn} arrived within ${ARRIVAL_DEADLINE_MS} ms`);
      }
      const { Messages = [] } = await sqsClient().send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages) {
        const callback = JSON.parse(message.Body ?? 'null') as { executionArn: string; taskToken: string };
        tokens.set(callback.executionArn, callback.taskToken);
      }
    }
  };
  const describe = async (executionArn: string): Promise<TestExecution> => {
    const execution = await stepFunctionsClient().send(new DescribeExecutionCommand({ executionArn }));
    return {
      executionArn,
      name: execution.name as string,
      status: execution.status as string,
      input: JSON.parse(execution.input ?? 'null'),
      ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) }),
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    };
  };
  return {
    stateMachineArn: arn,
    async start(executionName, input = {}) {
      const { executionArn } = await stepFunctionsClient().send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          name: executionName,
          input: JSON.stringify(input),
        }),
      );
      return { executionArn: executionArn as string, taskToken: await tokenOf(executionArn as string) };
    },
    async executions() {
      const { executions = [] } = await stepFunctionsClient().send(
        new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1000 }),
      );
      return Promise.all(executions.reverse().map((execution) => describe(execution.executionArn as string)));
    },
    async ended(executionArn) {
      const deadline = performance.now() + ARRIVAL_DEADLINE_MS;
      for (;;) {
        const execution = await describe(executionArn);
        if (execution.status !== 'RUNNING') return execution;
        if (performance.now() > deadline) {
          throw new Error(`${executionArn} was still running after ${ARRIVAL_DEADLINE_MS} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async isWaiting(taskToken) {
      try {
        await stepFunctionsClient().send(new SendTaskHeartbeatCommand({ taskToken }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'TaskTimedOut') return false;
        throw error;
      }
    },
  };
}
