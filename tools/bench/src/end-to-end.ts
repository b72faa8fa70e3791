import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalCloud } from '@shop/local-cloud/cloud';
import { BENCH_ORDER } from './bench-order.ts';
import { percentile, round } from './stats.ts';

export interface EndToEndLevelResult {
  concurrency: number;
  orders: number;
  /** INVOICED orders per second of the level's run. */
  ordersPerSecond: number;
  /** From sending POST /orders to the order being INVOICED. */
  p50Ms: number;
  p99Ms: number;
  /**
   * What one order costs the machine: CPU time of the process's main thread (the emulators, the
   * local cloud's own services and this bench's clients) and of the functions' worker threads.
   */
  cpuMsPerOrder: { cloud: number; functions: number };
  /** Requests the local services answered per order, by service (`api` is the HTTP API). */
  requestsPerOrder: Record<string, number>;
}

/**
 * Orders through the running local cloud, as a client sees them: `concurrency` clients of one
 * signed-in customer each place an order (POST /orders) and wait for it to be INVOICED before
 * placing the next. An order's status
 * changes only in apply-order-event, so the bench reads the Orders table when that function's
 * event source finishes a batch, instead of polling the API.
 */
export async function benchEndToEnd(options: {
  cloud: LocalCloud;
  levels: readonly { concurrency: number; orders: number }[];
  progress: (text: string) => void;
}): Promise<EndToEndLevelResult[]> {
  const { cloud, levels, progress } = options;
  // One customer places every order, signed in once: the API's JWT authorizer checks each request.
  const { accessToken } = await cloud.identity.createCustomer('bench');
  const watcher = watchInvoicedOrders(cloud);
  try {
    progress('  warming up: 10 orders at concurrency 10 (cold starts are not part of these figures)');
    await runLevel(cloud, watcher, accessToken, 10, 10);
    const results: EndToEndLevelResult[] = [];
    for (const { concurrency, orders } of levels) {
      const result = await runLevel(cloud, watcher, accessToken, concurrency, orders);
      results.push(result);
      progress(
        `  concurrency ${concurrency}: ${orders} orders, ${result.ordersPerSecond} orders/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, CPU ${result.cpuMsPerOrder.cloud} + ${result.cpuMsPerOrder.functions} ms per order`,
      );
    }
    return results;
  } finally {
    watcher.stop();
  }
}

async function runLevel(
  cloud: LocalCloud,
  watcher: InvoicedWatcher,
  accessToken: string,
  concurrency: number,
  orders: number,
): Promise<EndToEndLevelResult> {
  const latencies: number[] = [];
  let next = 0;
  const requests = countRequests(cloud);
  const cpuBefore = process.cpuUsage();
  const mainThreadBefore = process.threadCpuUsage();
  const started = performance.now();
  const client = async () => {
    while (next < orders) {
      next += 1;
      const placedAt = performance.now();
      const response = await fetch(`${cloud.url}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify(BENCH_ORDER),
      });
      const body = (await response.json()) as { orderId?: string };
      if (response.status !== 202 || !body.orderId)
        throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(body)}`);
      latencies.push((await watcher.invoiced(body.orderId)) - placedAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client)).finally(() => requests.stop());
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const mainThread = process.threadCpuUsage(mainThreadBefore);
  const perOrder = (microseconds: number) => round(microseconds / 1000 / orders);
  return {
    concurrency,
    orders,
    ordersPerSecond: round(latencies.length / seconds),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    cpuMsPerOrder: {
      cloud: perOrder(mainThread.user + mainThread.system),
      functions: perOrder(cpu.user + cpu.system - mainThread.user - mainThread.system),
    },
    requestsPerOrder: Object.fromEntries(
      Object.entries(requests.counts).map(([service, count]) => [service, round(count / orders)]),
    ),
  };
}

/**
 * Counts the requests each local service answers, through Node's own diagnostics channel for HTTP
 * servers: the emulators and the local cloud's services all listen in this process.
 */
function countRequests(cloud: LocalCloud): { counts: Record<string, number>; stop(): void } {
  const serviceByPort = new Map(
    Object.entries({ ...cloud.endpoints, api: cloud.url }).map(([service, url]) => [
      Number(new URL(url).port),
      service,
    ]),
  );
  const counts: Record<string, number> = {};
  const onRequest = (message: unknown) => {
    const { server } = message as { request: IncomingMessage; server: Server };
    const address = server.address();
    const service = typeof address === 'object' && address ? serviceByPort.get(address.port) : undefined;
    if (service) counts[service] = (counts[service] ?? 0) + 1;
  };
  subscribe('http.server.request.start', onRequest);
  return { counts, stop: () => unsubscribe('http.server.request.start', onRequest) };
}

interface InvoicedWatcher {
  /** Resolves with the time (performance.now()) the order was seen INVOICED. */
  invoiced(orderId: string): Promise<number>;
  stop(): void;
}

const TIMEOUT_MS = 60_000;

function watchInvoicedOrders(cloud: LocalCloud): InvoicedWatcher {
  const applier = cloud.model.functions.find((fn) => fn.name.endsWith('-apply-order-event'));
  const source = applier && cloud.eventSources.get(applier.name);
  const table = cloud.model.tables.find((candidate) => candidate.name.endsWith('-orders'))?.name;
  if (!source || !table)
    throw new Error('The local stage has no apply-order-event event source or Orders table');
  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: cloud.endpoints.dynamodb,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const waiting = new Map<
    string,
    { resolve: (at: number) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }
  >();
  let checking = false;
  let latestBatchAt: number | undefined;

  async function check(): Promise<void> {
    if (checking) return;
    checking = true;
    try {
      while (latestBatchAt !== undefined) {
        const at = latestBatchAt;
        latestBatchAt = undefined;
        const ids = [...waiting.keys()];
        for (let start = 0; start < ids.length; start += 100) {
          const { Responses } = await dynamodb.send(
            new BatchGetItemCommand({
              RequestItems: {
                [table as string]: {
                  Keys: ids.slice(start, start + 100).map((orderId) => ({ orderId: { S: orderId } })),
                  ProjectionExpression: 'orderId, #status',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ConsistentRead: true,
                },
              },
            }),
          );
          for (const item of Responses?.[table as string] ?? []) {
            const orderId = item.orderId?.S ?? '';
            const status = item.status?.S;
            const entry = waiting.get(orderId);
            if (!entry) continue;
            if (status === 'INVOICED') entry.resolve(at);
            else if (status === 'PAYMENT_FAILED' || status === 'CANCELLED')
              entry.reject(new Error(`Order ${orderId} ended ${status}, not INVOICED`));
            else continue;
            clearTimeout(entry.timer);
            waiting.delete(orderId);
          }
        }
      }
    } finally {
      checking = false;
    }
  }

  const removeListener = source.onBatch(() => {
    latestBatchAt = performance.now();
    check().catch((error: unknown) => {
      for (const entry of waiting.values()) entry.reject(error as Error);
    });
  });
  return {
    invoiced: (orderId) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(orderId);
          reject(new Error(`Order ${orderId} was not INVOICED within ${TIMEOUT_MS} ms`));
        }, TIMEOUT_MS);
        waiting.set(orderId, { resolve, reject, timer });
      }),
    stop() {
      removeListener();
      dynamodb.destroy();
    },
  };
}
