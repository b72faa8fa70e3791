import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ActivityFeed } from '../activity/activity-feed.ts';
import type { DiagramIndex } from '../activity/flow-diagram.ts';
import { readQueueDepths } from '../activity/queue-depths.ts';
import { recentOrders } from '../activity/recent-orders.ts';
import { sendBankTransfer } from '../clients/bank-webhook.ts';
import type { LogSink } from '../contracts.ts';
import type { LocalCustomer, LocalIdentity } from '../identity/local-identity.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import type { LocalModel } from '../template/local-model.ts';
import type {
  Activity,
  FlowSnapshot,
  OrderDetails,
  OrderHistoryEvent,
  OrderSummary,
  PageCustomer,
} from './flow-types.ts';

/**
 * The flow page at `/`, served by the HTTP API's server for the requests no API route takes: the
 * page and its bundle (built by `nx build @shop/local-cloud` into dist/web), a snapshot to start from,
 * the activity as server-sent events, and one order's log lines and workflow history. It also
 * plays two parties the API expects: a signed-in test customer (the page's own, through the local
 * user pool) and the bank, whose signed webhook confirms a transfer.
 */
export interface FlowPage {
  /** The HTTP API's fallback: true when it answered the request. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  stop(): void;
}

export interface FlowPageOptions {
  model: LocalModel;
  index: DiagramIndex;
  feed: ActivityFeed;
  stepFunctions: StepFunctionsService;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  log: LogSink;
  /** Where the built page lives. Default: the package's dist/web. */
  webDir?: string;
  /** How often queue depths are read while a page is connected. Default 1 s. */
  queueSampleMs?: number;
  /** The HTTP API's base URL, which the page's bank and invoice requests go through. */
  apiUrl: string;
  /** The user pools; the page signs in its test customer to the one the API's authorizer trusts. */
  identity: Pick<LocalIdentity, 'apiUserPool' | 'createCustomer'>;
  /** The bank-transfer webhook's current secret, with which the page's bank signs its notices. */
  webhookSecret: () => string | undefined;
}

/** The built-in test provider's tokens (tok_capture_timeout exercises the compensation), offered by the form. */
export const TEST_TOKENS = ['tok_visa', 'tok_declined', 'tok_flaky', 'tok_outage', 'tok_capture_timeout'];
const DEFAULT_WEB_DIR = join(import.meta.dirname, '../../dist/web');
const RECENT_ORDERS = 25;
/** An order is re-read after activity while it is this recent: a bank transfer can wait long. */
const ORDER_WATCH_MS = 120_000;
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/_local/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/_local/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};
const ORDER_DETAILS = /^\/_local\/orders\/([\w-]+)$/;
const INVOICE = /^\/_local\/invoices\/([\w-]+)$/;
/** The page's own customer: the orders its form places are this customer's. */
const PAGE_CUSTOMER = 'flow-page';
/** Signed in again this long before its token expires (Cognito's access tokens last an hour). */
const TOKEN_RENEWAL_MS = 50 * 60_000;
const MAX_REQUEST_BYTES = 4_096;

export function createFlowPage(options: FlowPageOptions): FlowPage {
  const { model, index, feed, clients } = options;
  const webDir = options.webDir ?? DEFAULT_WEB_DIR;
  const orders = recentOrders(clients.dynamodb, model, index);
  const streams = new Set<ServerResponse>();
  const watched = new Map<string, number>();
  const lastSent = new Map<string, string>();
  let lastDepths = '';
  let sampler: NodeJS.Timeout | undefined;
  let refresh: NodeJS.Timeout | undefined;
  let customer: { signedIn: Promise<LocalCustomer>; at: number } | undefined;
  const pageCustomer = (): Promise<LocalCustomer> => {
    if (!customer || Date.now() - customer.at > TOKEN_RENEWAL_MS) {
      const signedIn = options.identity.createCustomer(PAGE_CUSTOMER);
      customer = { signedIn, at: Date.now() };
      // A failed sign-in is not kept: the next request tries again.
      signedIn.catch(() => {
        if (customer?.signedIn === signedIn) customer = undefined;
      });
    }
    return customer.signedIn;
  };

  const warn = (message: string) =>
    options.log({ source: 'flow-page', level: 'WARN', message, time: new Date().toISOString() });
  const broadcast = (activity: Activity) => {
    const frame = `data: ${JSON.stringify(activity)}\n\n`;
    for (const stream of streams) if (!stream.writableEnded && !stream.destroyed) stream.write(frame);
  };

  // Orders change in the table after the functions that change them run: after activity on an
  // order, it is read again when an invocation ends, and sent when it differs from what was sent.
  const refreshWatched = async () => {
    const now = Date.now();
    for (const [orderId, since] of watched) if (now - since > ORDER_WATCH_MS) watched.delete(orderId);
    for (const orderId of watched.keys()) {
      const order = await orders.get(orderId);
      if (order) sendOrder(order);
    }
  };
  const sendOrder = (order: OrderSummary) => {
    const text = JSON.stringify(order);
    if (lastSent.get(order.orderId) === text) return;
    lastSent.set(order.orderId, text);
    broadcast({ kind: 'order', order });
  };
  // One read of the watched orders at a time, so an older read never overtakes a newer one;
  // activity during a read asks for another after it, and a failed read is tried again.
  let reading = false;
  let readAgain = false;
  const scheduleRefresh = (delayMs = 50) => {
    if (streams.size === 0 || watched.size === 0 || refresh) return;
    if (reading) {
      readAgain = true;
      return;
    }
    refresh = setTimeout(async () => {
      refresh = undefined;
      reading = true;
      readAgain = false;
      let retryMs: number | undefined;
      try {
        await refreshWatched();
      } catch (error) {
        warn(`Could not read the watched orders; trying again: ${describe(error)}`);
        retryMs = 1_000;
      } finally {
        reading = false;
      }
      if (retryMs !== undefined || readAgain) scheduleRefresh(retryMs);
    }, delayMs);
  };
  const unsubscribe = [
    feed.subscribe((activity) => {
      if (streams.size === 0) return;
      broadcast(activity);
      scheduleRefresh();
    }),
    feed.onOrderTouched((orderId) => {
      // With no page open there is nothing to keep up to date: the snapshot covers what happened.
      if (streams.size === 0) return;
      watched.set(orderId, Date.now());
      broadcast({ kind: 'touched', orderId });
      scheduleRefresh();
    }),
  ];

  const sampleQueues = async () => {
    const depths = await readQueueDepths(clients.sqs, model);
    const text = JSON.stringify(depths);
    if (text !== lastDepths) {
      lastDepths = text;
      broadcast({ kind: 'queues', queues: depths });
    }
  };
  // Depths are sampled only while a page listens, one sample at a time.
  const startSampling = () => {
    if (sampler) return;
    const tick = () => {
      sampleQueues()
        .catch((error: unknown) => warn(`Could not read the queue depths: ${describe(error)}`))
        .finally(() => {
          if (streams.size > 0) sampler = setTimeout(tick, options.queueSampleMs ?? 1_000);
          else sampler = undefined;
        });
    };
    sampler = setTimeout(tick, 0);
  };

  const snapshot = async (): Promise<FlowSnapshot> => {
    const [list, queues] = await Promise.all([
      orders.list(RECENT_ORDERS),
      readQueueDepths(clients.sqs, model),
    ]);
    return { diagram: index.diagram, orders: list, queues, tokens: TEST_TOKENS };
  };

  const details = async (orderId: string): Promise<OrderDetails> => {
    const execution = options.stepFunctions.listExecutions().find((candidate) => candidate.name === orderId);
    return {
      orderId,
      logs: feed.logsFor(orderId),
      ...(execution
        ? {
            execution: {
              stateMachine: execution.stateMachineArn.split(':').at(-1) ?? execution.stateMachineArn,
              status: execution.status,
              history: await executionHistory(options.stepFunctions.endpoint, execution.executionArn),
            },
          }
        : {}),
    };
  };

  /** The bank pays an order's total, with a reference of its own: pressing twice sends the same notice. */
  const confirmTransfer = async (orderId: string): Promise<{ status: number; body: unknown }> => {
    const order = await orders.get(orderId);
    if (!order) return { status: 404, body: { error: { code: 'not_found', message: 'No such order' } } };
    const secret = options.webhookSecret();
    if (!secret)
      throw new Error('The templates have no bank webhook: no route without an authorizer reads a secret');
    return sendBankTransfer(options.apiUrl, secret, {
      orderId,
      amount: order.total,
      currency: order.currency,
      reference: `local-bank-${orderId}`,
      paidAt: new Date().toISOString(),
    });
  };

  /** GET /invoices/{invoiceId} as the page's customer: another customer's invoice is a 404, as on AWS. */
  const invoice = async (invoiceId: string): Promise<{ status: number; body: string }> => {
    const { accessToken } = await pageCustomer();
    const response = await fetch(`${options.apiUrl}/invoices/${encodeURIComponent(invoiceId)}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    return { status: response.status, body: await response.text() };
  };

  const openStream = (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Tells EventSource how long to wait before it reconnects after the local cloud restarts.
    response.write('retry: 2000\n\n');
    streams.add(response);
    lastDepths = '';
    startSampling();
    request.on('close', () => streams.delete(response));
  };

  const answerJson = (response: ServerResponse, path: string, work: Promise<unknown>, status = 200) =>
    work.then(
      (body) => send(response, status, 'application/json', JSON.stringify(body)),
      (error: unknown) => failed(response, path, error),
    );
  const failed = (response: ServerResponse, path: string, error: unknown) => {
    warn(`${path} failed: ${describe(error)}`);
    send(
      response,
      500,
      'application/json',
      JSON.stringify({ error: { code: 'Internal', message: describe(error) } }),
    );
  };

  /** The page's customer (POST /_local/customer) and its bank (POST /_local/bank/transfers). */
  const handlePost = (path: string, request: IncomingMessage, response: ServerResponse): boolean => {
    if (path === '/_local/customer') {
      answerJson(
        response,
        path,
        pageCustomer().then(({ email, accessToken }): PageCustomer => ({ email, accessToken })),
      );
      return true;
    }
    if (path === '/_local/bank/transfers') {
      readJson(request)
        .then(async (body) => {
          const orderId = (body as { orderId?: unknown } | undefined)?.orderId;
          if (typeof orderId !== 'string' || !/^[\w-]{1,64}$/.test(orderId)) {
            send(
              response,
              400,
              'application/json',
              JSON.stringify({ error: { message: 'orderId is required' } }),
            );
            return;
          }
          const answer = await confirmTransfer(orderId);
          send(response, answer.status, 'application/json', JSON.stringify(answer.body ?? null));
        })
        .catch((error: unknown) => {
          if (!(error instanceof SyntaxError)) return failed(response, path, error);
          send(response, 400, 'application/json', JSON.stringify({ error: { message: error.message } }));
        });
      return true;
    }
    return false;
  };

  return {
    handle(request, response) {
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      if (method === 'POST') return handlePost(path, request, response);
      if (method !== 'GET' && method !== 'HEAD') return false;
      const asset = ASSETS[path];
      if (asset) {
        readFile(join(webDir, asset.file)).then(
          (body) => send(response, 200, asset.type, body),
          () =>
            send(
              response,
              503,
              'text/plain; charset=utf-8',
              `The flow page is not built (${join(webDir, asset.file)} is missing): run npx nx build @shop/local-cloud\n`,
            ),
        );
        return true;
      }
      if (path === '/_local/events') {
        openStream(request, response);
        return true;
      }
      const json = (work: Promise<unknown>) => answerJson(response, path, work);
      if (path === '/_local/identity') {
        const userPool = options.identity.apiUserPool;
        if (!userPool) {
          send(
            response,
            404,
            'application/json',
            JSON.stringify({ error: { message: 'No route has a JWT authorizer' } }),
          );
          return true;
        }
        json(Promise.resolve(userPool));
        return true;
      }
      const invoiceId = INVOICE.exec(path)?.[1];
      if (invoiceId) {
        invoice(invoiceId).then(
          ({ status, body }) => send(response, status, 'application/json', body),
          (error: unknown) => failed(response, path, error),
        );
        return true;
      }
      if (path === '/_local/snapshot') {
        json(snapshot());
        return true;
      }
      const orderId = ORDER_DETAILS.exec(path)?.[1];
      if (orderId) {
        json(details(orderId));
        return true;
      }
      return false;
    },
    stop() {
      for (const stop of unsubscribe) stop();
      clearTimeout(sampler);
      clearTimeout(refresh);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

/** GetExecutionHistory through the local Step Functions endpoint, as the console would read it. */
async function executionHistory(endpoint: string, executionArn: string): Promise<OrderHistoryEvent[]> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.GetExecutionHistory',
    },
    body: JSON.stringify({ executionArn, maxResults: 1000 }),
  });
  if (!response.ok)
    throw new Error(`GetExecutionHistory answered ${response.status}: ${await response.text()}`);
  const { events } = (await response.json()) as { events: Record<string, unknown>[] };
  return events.map((event) => {
    const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1] as
      | Record<string, unknown>
      | undefined;
    return {
      id: Number(event.id),
      timestamp: new Date(Number(event.timestamp) * 1000).toISOString(),
      type: String(event.type),
      ...(typeof details?.name === 'string' ? { name: details.name } : {}),
      ...(typeof details?.error === 'string' ? { error: details.error } : {}),
      ...(typeof details?.cause === 'string' ? { cause: details.cause } : {}),
    };
  });
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) {
    text += String(chunk);
    if (text.length > MAX_REQUEST_BYTES) throw new Error('The request body is too large');
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
