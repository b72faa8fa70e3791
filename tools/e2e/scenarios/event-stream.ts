import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Target } from '../src/target/target.ts';
import { asyncApiProblem } from '../test/asyncapi-events.ts';

/**
 * The stage's Kinesis stream, where every domain event lands, keyed by its order: one order's
 * events are on one shard, in order. Read from a little before this file started, on demand, each
 * event held to docs/api/asyncapi.yaml. HTTP/1.1: the SDK's default HTTP/2 is for SubscribeToShard,
 * which the suite does not use.
 */
export function eventStream(target: Target) {
  const kinesis = new KinesisClient({ region: target.region, requestHandler: new NodeHttpHandler() });
  const from = new Date(Date.now() - 60_000);
  const byOrder = new Map<string, string[]>();
  /** Delivery is at least once: a redelivered message republishes its event under the same id. */
  const seen = new Set<string>();
  const problems: string[] = [];
  let iterators: Promise<Map<string, string>> | undefined;
  let reading: Promise<void> | undefined;

  async function shardIterators(): Promise<Map<string, string>> {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: target.streamName }));
    const found = new Map<string, string>();
    for (const { ShardId } of Shards) {
      if (!ShardId) continue;
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: target.streamName,
          ShardId,
          ShardIteratorType: 'AT_TIMESTAMP',
          Timestamp: from,
        }),
      );
      if (ShardIterator) found.set(ShardId, ShardIterator);
    }
    return found;
  }

  /** One pass over every shard, up to its tip. */
  async function readOnce(): Promise<void> {
    iterators ??= shardIterators();
    const current = await iterators;
    for (const [shard, iterator] of current) {
      let next: string | undefined = iterator;
      while (next) {
        const page: GetRecordsCommandOutput = await kinesis.send(
          new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }),
        );
        for (const record of page.Records ?? []) take(Buffer.from(record.Data ?? []).toString('utf8'));
        next = page.NextShardIterator;
        if (next) current.set(shard, next);
        if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
      }
    }
  }

  function take(text: string): void {
    const event = JSON.parse(text) as {
      id: string;
      'detail-type': string;
      detail?: { id?: string; data?: { orderId?: string } };
    };
    const problem = asyncApiProblem(event);
    if (problem) problems.push(problem);
    const orderId = event.detail?.data?.orderId;
    const id = event.detail?.id ?? event.id;
    if (!orderId || seen.has(id)) return;
    seen.add(id);
    byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), event['detail-type']]);
  }

  /** Concurrent scenarios share one reader: a pass started is awaited, not repeated. */
  function read(): Promise<void> {
    reading ??= readOnce().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  return {
    /** The order's event types in stream order, once `last` is among them. */
    async eventsUntil(orderId: string, last: string, timeoutMs: number): Promise<string[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await read();
        const events = byOrder.get(orderId) ?? [];
        if (problems.length > 0) throw new Error(`Events broke asyncapi.yaml:\n${problems.join('\n')}`);
        if (events.includes(last)) return events;
        if (Date.now() > deadline) {
          throw new Error(
            `No ${last} of ${orderId} on the stream within ${timeoutMs} ms; it had ${events.join(', ')}`,
          );
        }
        // Kinesis serves 5 reads a second per shard, shared by the scenario files running at once.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    },
    /** The order's event types read so far. */
    async eventsOf(orderId: string): Promise<string[]> {
      await read();
      return byOrder.get(orderId) ?? [];
    },
    stop: () => kinesis.destroy(),
  };
}
