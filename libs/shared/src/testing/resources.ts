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
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../aws-clients.ts';

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
