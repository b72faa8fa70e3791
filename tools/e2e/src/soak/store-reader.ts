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
import { EVENTS } from '@shop/contracts/events';
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

/** Reads with fresh clients each time: a restarted cloud's stores answer on new ports. */
export interface StoreReader {
  /** Orders of the given customers (one soak run's: their subs). */
  orders(customerIds: ReadonlySet<string>): Promise<OrderRow[]>;
  /** Everything the reconciliation checks, for the orders of the given customers. */
  snapshot(customerIds: ReadonlySet<string>): Promise<StoreSnapshot>;
}

export function createStoreReader(endpoints: () => StoreEndpoints, region = 'us-east-1'): StoreReader {
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

  return {
    async orders(customerIds) {
      return withTables(endpoints().dynamodb, region, async (scan) =>
        ordersOf(await scan('orders'), customerIds),
      );
    },

    async snapshot(customerIds) {
      return withTables(endpoints().dynamodb, region, async (scan) => {
        const orders = ordersOf(await scan('orders'), customerIds);
        const ours = new Set(orders.map((order) => order.orderId));
        return {
          orders,
          payments: paymentsOf(await scan('payments'), ours),
          invoicesByOrder: invoicesOf(await scan('invoices'), ours),
          capturesByOrder: await withClient(kinesis(), (client) => capturedEvents(client, ours)),
          deadLetters: await withClient(sqs(), (client) => deadLetters(client, ours)),
        };
      });
    },
  };
}

/** Runs `work` with `client`, destroyed after. */
async function withClient<Client extends { destroy(): void }, Result>(
  client: Client,
  work: (client: Client) => Promise<Result>,
): Promise<Result> {
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

/** Scans whole tables, found by the end of their names (`-orders`), with one DynamoDB client. */
async function withTables<Result>(
  endpoint: string,
  region: string,
  work: (scan: (suffix: string) => Promise<Record<string, unknown>[]>) => Promise<Result>,
): Promise<Result> {
  // The fault injection may throttle DynamoDB: the reader retries like any careful client.
  const client = new DynamoDBClient({ region, credentials, endpoint, maxAttempts: 10 });
  return withClient(client, () =>
    work(async (suffix) => {
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      const TableName = TableNames.find((name) => name.endsWith(`-${suffix}`));
      if (!TableName) throw new Error(`No table ending in -${suffix} at ${endpoint}`);
      const items: Record<string, unknown>[] = [];
      for await (const page of paginateScan({ client }, { TableName, ConsistentRead: true })) {
        for (const item of page.Items ?? []) items.push(unmarshall(item));
      }
      return items;
    }),
  );
}

function paymentsOf(items: Record<string, unknown>[], ours: ReadonlySet<string>): StoreSnapshot['payments'] {
  const payments: StoreSnapshot['payments'] = new Map();
  for (const item of items) {
    const orderId = String(item.orderId);
    if (ours.has(orderId)) {
      payments.set(orderId, {
        status: String(item.status),
        ...(item.captureId ? { captureId: String(item.captureId) } : {}),
      });
    }
  }
  return payments;
}

function invoicesOf(
  items: Record<string, unknown>[],
  ours: ReadonlySet<string>,
): StoreSnapshot['invoicesByOrder'] {
  const invoicesByOrder: StoreSnapshot['invoicesByOrder'] = new Map();
  for (const item of items) {
    const orderId = String(item.orderId);
    if (!ours.has(orderId)) continue;
    invoicesByOrder.set(orderId, [...(invoicesByOrder.get(orderId) ?? []), String(item.invoiceId)]);
  }
  return invoicesByOrder;
}

async function capturedEvents(
  client: KinesisClient,
  ours: ReadonlySet<string>,
): Promise<StoreSnapshot['capturesByOrder']> {
  const byOrder: StoreSnapshot['capturesByOrder'] = new Map();
  for await (const data of streamRecords(client)) {
    const event = parseCaptured(data);
    if (!event || !ours.has(event.orderId)) continue;
    const entry = byOrder.get(event.orderId) ?? { eventIds: new Set(), captureIds: new Set() };
    entry.eventIds.add(event.id);
    entry.captureIds.add(event.captureId);
    byOrder.set(event.orderId, entry);
  }
  return byOrder;
}

/** The data of every record of every stream's shards, from the oldest kept to the latest. */
async function* streamRecords(client: KinesisClient): AsyncGenerator<string> {
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
        for (const record of page.Records ?? []) yield Buffer.from(record.Data ?? []).toString('utf8');
        if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest ?? 0) === 0) break;
        ShardIterator = page.NextShardIterator;
      }
    }
  }
}

/** Every DLQ (a queue whose name ends in `-dlq`), its depth and a peek at its messages. */
async function deadLetters(client: SQSClient, ours: ReadonlySet<string>): Promise<DeadLetter[]> {
  const { QueueUrls = [] } = await client.send(new ListQueuesCommand({}));
  const result: DeadLetter[] = [];
  for (const QueueUrl of QueueUrls.filter((url) => url.endsWith('-dlq'))) {
    result.push(await peekDeadLetters(client, QueueUrl, ours));
  }
  return result;
}

/**
 * A peek of up to 100: each receive hides what it read for a few seconds (so the next one reads
 * others), then the messages are back, for whoever investigates.
 */
async function peekDeadLetters(
  client: SQSClient,
  QueueUrl: string,
  ours: ReadonlySet<string>,
): Promise<DeadLetter> {
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
  return { queue: QueueUrl.split('/').at(-1) ?? QueueUrl, count, samples, orderIds: [...orderIds] };
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
    if (detail?.type !== EVENTS.PaymentCaptured.type || !detail.data) return undefined;
    return {
      id: String(detail.id),
      orderId: String(detail.data.orderId),
      captureId: String(detail.data.captureId),
    };
  } catch {
    return undefined;
  }
}
