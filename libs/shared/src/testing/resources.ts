import { randomUUID } from 'node:crypto';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
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
