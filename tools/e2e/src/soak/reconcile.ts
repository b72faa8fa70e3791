import { DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-kinesis';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Reads what the system recorded, straight from its stores (never from the API that the soak is
 * checking): the Orders, Payments and Invoices tables, the PaymentCaptured events on the Kinesis
 * stream (every domain event is copied there: the record of what was published), and the DLQs.
 */
export interface StoreEndpoints {
  dynamodb: string;
  sqs: string;
  kinesis: string;
}

export interface OrderRow {
  orderId: string;
  customerId: string;
  status: string;
  createdAt?: string;
  updatedAt?: string;
  invoiceId?: string;
  payment?: { status?: string; reason?: string; attempts?: number };
}

export interface DeadLetter {
  queue: string;
  count: number;
  /** A few message bodies, shortened: what was given up on. */
  samples: string[];
  /** Order ids found in the bodies read. */
  orderIds: string[];
}

export interface StoreSnapshot {
  orders: OrderRow[];
  payments: Map<string, { status: string; captureId?: string }>;
  invoicesByOrder: Map<string, string[]>;
  /** PaymentCaptured events on the stream, by order: distinct event ids and distinct capture ids. */
  capturesByOrder: Map<string, { eventIds: Set<string>; captureIds: Set<string> }>;
  deadLetters: DeadLetter[];
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function createStoreReader(endpoints: () => StoreEndpoints, region = 'us-east-1') {
  // The fault injection may throttle DynamoDB: the reader retries like any careful client.
  const dynamodb = () =>
    new DynamoDBClient({ region, credentials, endpoint: endpoints().dynamodb, maxAttempts: 10 });
  const sqs = () =>
    new SQSClient({ region, credentials, endpoint: endpoints().sqs, useQueueUrlAsEndpoint: false });
  // kinesalite speaks HTTP/1.1 only.
  const kinesis = () =>
    new KinesisClient({
      region,
      credentials,
      endpoint: endpoints().kinesis,
      requestHandler: new NodeHttpHandler(),
    });

  async function tableEndingWith(client: DynamoDBClient, suffix: string): Promise<string> {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    const found = TableNames.find((name) => name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`No table ending in -${suffix} at ${endpoints().dynamodb}`);
    return found;
  }

  async function scan(client: DynamoDBClient, suffix: string): Promise<Record<string, unknown>[]> {
    const TableName = await tableEndingWith(client, suffix);
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client }, { TableName, ConsistentRead: true })) {
      for (const item of page.Items ?? []) items.push(unmarshall(item));
    }
    return items;
  }

  return {
    /** Orders of the given customers (one soak run's: their subs). */
    async orders(customerIds: ReadonlySet<string>): Promise<OrderRow[]> {
      const client = dynamodb();
      try {
        return ordersOf(await scan(client, 'orders'), customerIds);
      } finally {
        client.destroy();
      }
    },

    async snapshot(customerIds: ReadonlySet<string>): Promise<StoreSnapshot> {
      const client = dynamodb();
      try {
        const orders = ordersOf(await scan(client, 'orders'), customerIds);
        const ours = new Set(orders.map((order) => order.orderId));
        const payments = new Map<string, { status: string; captureId?: string }>();
        for (const item of await scan(client, 'payments')) {
          const orderId = String(item.orderId);
          if (ours.has(orderId)) {
            payments.set(orderId, {
              status: String(item.status),
              ...(item.captureId ? { captureId: String(item.captureId) } : {}),
            });
          }
        }
        const invoicesByOrder = new Map<string, string[]>();
        for (const item of await scan(client, 'invoices')) {
          const orderId = String(item.orderId);
          if (!ours.has(orderId)) continue;
          invoicesByOrder.set(orderId, [...(invoicesByOrder.get(orderId) ?? []), String(item.invoiceId)]);
        }
        return {
          orders,
          payments,
          invoicesByOrder,
          capturesByOrder: await capturedEvents(ours),
          deadLetters: await deadLetters(ours),
        };
      } finally {
        client.destroy();
      }
    },
  };

  async function capturedEvents(ours: Set<string>) {
    const client = kinesis();
    const byOrder = new Map<string, { eventIds: Set<string>; captureIds: Set<string> }>();
    try {
      const { StreamNames = [] } = await client.send(new ListStreamsCommand({}));
      for (const StreamName of StreamNames) {
        const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }));
        for (const shard of Shards) {
          let { ShardIterator } = await client.send(
            new GetShardIteratorCommand({
              StreamName,
              ShardId: shard.ShardId,
              ShardIteratorType: 'TRIM_HORIZON',
            }),
          );
          while (ShardIterator) {
            const page = await client.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
            for (const record of page.Records ?? []) {
              const event = parseCaptured(Buffer.from(record.Data ?? []).toString('utf8'));
              if (!event || !ours.has(event.orderId)) continue;
              const entry = byOrder.get(event.orderId) ?? { eventIds: new Set(), captureIds: new Set() };
              entry.eventIds.add(event.id);
              entry.captureIds.add(event.captureId);
              byOrder.set(event.orderId, entry);
            }
            if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
            ShardIterator = page.NextShardIterator;
          }
        }
      }
    } finally {
      client.destroy();
    }
    return byOrder;
  }

  async function deadLetters(ours: Set<string>): Promise<DeadLetter[]> {
    const client = sqs();
    try {
      const { QueueUrls = [] } = await client.send(new ListQueuesCommand({}));
      const result: DeadLetter[] = [];
      for (const QueueUrl of QueueUrls.filter((url) => url.endsWith('-dlq'))) {
        const { Attributes = {} } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const count =
          Number(Attributes.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
        const samples: string[] = [];
        const orderIds = new Set<string>();
        // A peek of up to 100: each receive hides what it read for a few seconds (so the next one
        // reads others), then the messages are back, for whoever investigates.
        const seen = new Set<string>();
        for (let read = 0; read < 10 && seen.size < Math.min(count, 100); read += 1) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 5 }),
          );
          if (Messages.length === 0) break;
          for (const message of Messages) {
            if (seen.has(message.MessageId ?? '')) continue;
            seen.add(message.MessageId ?? '');
            const body = message.Body ?? '';
            if (samples.length < 3) samples.push(body.length > 300 ? `${body.slice(0, 300)}…` : body);
            for (const match of body.matchAll(/"orderId":"([^"]+)"/g)) {
              if (match[1] && ours.has(match[1])) orderIds.add(match[1]);
            }
          }
        }
        result.push({
          queue: QueueUrl.split('/').at(-1) ?? QueueUrl,
          count,
          samples,
          orderIds: [...orderIds],
        });
      }
      return result;
    } finally {
      client.destroy();
    }
  }
}

function ordersOf(items: Record<string, unknown>[], customerIds: ReadonlySet<string>): OrderRow[] {
  return items.filter((item) => customerIds.has(String(item.customerId))) as unknown as OrderRow[];
}

/** A PaymentCaptured domain event, as EventBridge delivers it to the stream (the whole event). */
function parseCaptured(text: string): { id: string; orderId: string; captureId: string } | undefined {
  try {
    const event = JSON.parse(text) as {
      detail?: { id?: string; type?: string; data?: Record<string, unknown> };
    };
    const detail = event.detail;
    if (detail?.type !== 'PaymentCaptured' || !detail.data) return undefined;
    return {
      id: String(detail.id),
      orderId: String(detail.data.orderId),
      captureId: String(detail.data.captureId),
    };
  } catch {
    return undefined;
  }
}
