import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException as StreamInUseException,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Emulators } from '../emulators/emulators.ts';
import type { LocalModel } from '../template/local-model.ts';

/**
 * The template's tables, queues and streams, created in the emulators through their own APIs, and
 * the clients the local cloud itself reaches the emulators with (never through fault injection).
 */
export interface EmulatorClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  kinesis: KinesisClient;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export function dynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ region, credentials: LOCAL_CREDENTIALS, endpoint });
}

export function createEmulatorClients(emulators: Emulators, region: string): EmulatorClients {
  const common = { region, credentials: LOCAL_CREDENTIALS };
  return {
    dynamodb: dynamoDbClient(emulators.dynamodb.endpoint, region),
    sqs: new SQSClient({ ...common, endpoint: emulators.sqs.endpoint, useQueueUrlAsEndpoint: false }),
    // kinesalite speaks HTTP/1.1 only; the v3 client would otherwise try HTTP/2.
    kinesis: new KinesisClient({
      ...common,
      endpoint: emulators.kinesis.endpoint,
      requestHandler: new NodeHttpHandler(),
    }),
  };
}

export async function createResources(model: LocalModel, clients: EmulatorClients): Promise<void> {
  await createTables(model, clients.dynamodb);
  await createQueues(model, clients.sqs);
  await createStreams(model, clients.kinesis);
}

async function createTables(model: LocalModel, dynamodb: DynamoDBClient): Promise<void> {
  for (const table of model.tables) {
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: table.keySchema,
          AttributeDefinitions: table.attributeDefinitions,
          ...(table.globalSecondaryIndexes.length > 0
            ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes }
            : {}),
        }),
      );
    } catch (error) {
      // With --persist the table is still there from the last run, data included.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}

/** Dead-letter queues must exist before a redrive policy can name them: every queue, then redrive. */
async function createQueues(model: LocalModel, sqs: SQSClient): Promise<void> {
  for (const queue of model.queues) {
    const { RedrivePolicy: _redrive, ...attributes } = queue.attributes;
    await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
  }
  for (const queue of model.queues) {
    if (!queue.attributes.RedrivePolicy) continue;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queue.url,
        Attributes: { RedrivePolicy: queue.attributes.RedrivePolicy },
      }),
    );
  }
}

async function createStreams(model: LocalModel, kinesis: KinesisClient): Promise<void> {
  for (const stream of model.streams) {
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }));
    } catch (error) {
      if (!(error instanceof StreamInUseException)) throw error;
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { StreamDescriptionSummary } = await kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: stream.name }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`Kinesis stream ${stream.name} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
