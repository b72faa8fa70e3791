import { readFileSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalCloud } from '@shop/local-cloud';
import { buildFlowDiagram } from '@shop/local-cloud/activity/flow-diagram';
import { readAssemblyStacks } from '@shop/local-cloud/template/cloud-assembly';
import { buildLocalModel } from '@shop/local-cloud/template/local-model';
import type { FlowSnapshot, PageMessage, SubjectDetails } from '@shop/local-cloud/ui/page-types';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OrderSummary, ShopMessage, ShopSnapshot } from '../src/local-app/page-types.ts';
import { shopPlugin } from '../src/local-app/shop-plugin.ts';
import { apiClient, awsClients } from './e2e-support.ts';
import { startFlowPageCloud } from './flow-page-support.ts';
import { hasSettled } from './settled-order.ts';

/**
 * The flow page's server side, over HTTP as the browser uses it (no browser needed): the diagram
 * derived from the templates, the page beside the API's routes, the snapshot, the activity stream
 * and an order's details. The browser itself is tested in browser-flow-page.test.ts.
 */
describe('the flow diagram', () => {
  const model = () =>
    buildLocalModel(readAssemblyStacks(inject('localAssemblyDir')), {
      region: 'us-east-1',
      accountId: '000000000000',
      sqsEndpoint: 'http://127.0.0.1:1',
    });

  it('has a box for every route, wired function, queue, state, table, bus and stream of the templates', () => {
    const local = model();
    const { diagram } = buildFlowDiagram(local);
    expect(diagram.routes.map((route) => route.label)).toEqual(local.routes.map((route) => route.routeKey));
    expect(diagram.functions.map((fn) => fn.label)).toEqual(
      expect.arrayContaining([
        'place-order',
        'start-payment',
        'authorize',
        'issue-invoice',
        'apply-order-event',
      ]),
    );
    // A custom resource provider runs at deployment only: nothing in the flow invokes it.
    expect(diagram.functions.some((fn) => fn.label.includes('CustomResource'))).toBe(false);
    expect(diagram.tables.map((table) => table.label).sort()).toEqual([
      'idempotency',
      'invoices',
      'orders',
      'payments',
    ]);
    const workflow = diagram.workflows[0];
    expect(workflow?.states.map((state) => state.label)).toEqual(
      Object.keys((local.stateMachines[0]?.definition.States ?? {}) as object),
    );
    expect(diagram.buses).toHaveLength(1);
    expect(diagram.streams).toHaveLength(1);
  });

  it('shows each dead-letter queue inside the box of the queue whose redrive policy names it', () => {
    const { diagram, nodeOf } = buildFlowDiagram(model());
    const paymentRequests = diagram.queues.find((queue) => queue.label === 'payment-requests');
    expect(paymentRequests?.dlqName).toMatch(/payment-requests-dlq$/);
    expect(diagram.queues.some((queue) => queue.label === 'payment-requests-dlq')).toBe(false);
    expect(nodeOf(paymentRequests?.dlqName ?? '')).toBe(paymentRequests?.id);
  });

  it('connects what the templates connect: routes, event sources, rules, environments, workflow tasks', () => {
    const { diagram } = buildFlowDiagram(model());
    const edges = diagram.edges.map(
      ({ from, to }) =>
        `${from.replace(/serverless-commerce-local-/g, '')} → ${to.replace(/serverless-commerce-local-/g, '')}`,
    );
    expect(edges).toEqual(
      expect.arrayContaining([
        'route:POST /orders → fn:place-order',
        'queue:payment-requests → fn:start-payment',
        'fn:place-order → table:orders',
        'fn:place-order → queue:payment-requests',
        'fn:start-payment → wf:payment-workflow',
        'bus:events → queue:order-events',
        'bus:events → stream:events',
        'state:payment-workflow:RecordAttempt → table:payments',
        'state:payment-workflow:Authorize → fn:authorize',
        'state:payment-workflow:RequestInvoice → queue:invoice-requests',
      ]),
    );
  });
});

describe('the flow page on a running local cloud', () => {
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startFlowPageCloud();
  }, 60_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('serves the page and its bundle at / and leaves every API route to its function', async () => {
    const page = await fetch(`${cloud.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script type="module" src="/_local/app.js">');
    const bundle = await fetch(`${cloud.url}/_local/app.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(1000);

    const unknownOrder = await apiClient(cloud).getOrder('ord_01J00000000000000000000000');
    expect(unknownOrder).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    // What the page does not serve goes to the API's $default route, behind its JWT authorizer.
    expect((await fetch(`${cloud.url}/nowhere`)).status).toBe(401);
    expect((await apiClient(cloud).call('GET', '/nowhere')).status).toBe(404);
    // Only the page's own paths take a POST: a POST to / is the API's.
    expect((await apiClient(cloud).call('POST', '/')).status).toBe(404);
  });

  it('serves the OpenAPI document at /openapi.json and its reference, offline, linked from the page', async () => {
    const page = await (await fetch(`${cloud.url}/`)).text();
    expect(page).toContain('<a class="document-link" href="/openapi.json">OpenAPI</a>');
    expect(page).toContain('<a class="document-link" href="/api-reference">API reference</a>');
    const document = await fetch(`${cloud.url}/openapi.json`);
    expect(document.headers.get('content-type')).toBe('application/json');
    expect(await document.text()).toBe(
      readFileSync(new URL('../../../docs/api/openapi.json', import.meta.url), 'utf8'),
    );
    const reference = await fetch(`${cloud.url}/api-reference`);
    expect(reference.headers.get('content-type')).toContain('text/html');
    const html = await reference.text();
    expect(html).toContain('<title>Serverless Commerce HTTP API</title>');
    // Redoc is inlined: no script or stylesheet is fetched from elsewhere.
    expect(html.match(/<(script|link)[^>]+(src|href)="https?:/g)).toBeNull();
  });

  it('streams an order from placement to INVOICED, lighting the boxes it passes', async () => {
    const stream = await openActivityStream(`${cloud.url}/_local/events`);
    try {
      const placed = await apiClient(cloud).placeOrder({ method: 'card', token: 'tok_visa' });
      const orderId = placed.body.orderId as string;
      const settled = await stream.until(
        (activity) =>
          orderIn(activity)?.orderId === orderId &&
          hasSettled(orderIn(activity), ['INVOICED', 'PAYMENT_FAILED', 'CANCELLED']),
      );
      expect(orderIn(settled)).toMatchObject({ status: 'INVOICED' });
      const lit = new Set(
        stream.seen.flatMap((activity) => (activity.kind === 'pulse' ? activity.nodes : [])),
      );
      for (const node of [
        'route:POST /orders',
        'queue:serverless-commerce-local-payment-requests',
        'bus:serverless-commerce-local-events',
      ]) {
        expect(lit).toContain(node);
      }
      expect(lit).toContain('state:serverless-commerce-local-payment-workflow:Authorize');
      expect(stream.seen.some((activity) => activity.kind === 'queues')).toBe(true);

      const details = (await (
        await fetch(`${cloud.url}/_local/subjects/${orderId}`)
      ).json()) as SubjectDetails;
      const correlationId = placed.headers.get('x-correlation-id');
      expect(details.logs).toContainEqual(
        expect.objectContaining({ message: 'Order accepted', correlationId }),
      );
      expect(details.logs).toContainEqual(
        expect.objectContaining({ source: 'issue-invoice', message: 'Invoice issued' }),
      );
      expect(details.execution?.status).toBe('SUCCEEDED');
      expect(details.execution?.history.map((event) => event.type)).toEqual(
        expect.arrayContaining(['ExecutionStarted', 'TaskStateEntered', 'ExecutionSucceeded']),
      );

      const snapshot = (await (await fetch(`${cloud.url}/_local/snapshot`)).json()) as FlowSnapshot;
      expect(shopPart(snapshot).orders).toContainEqual(
        expect.objectContaining({
          orderId,
          status: 'INVOICED',
          payment: expect.objectContaining({ attempts: 1 }),
        }),
      );
    } finally {
      stream.close();
    }
  });

  it('signs in its own test customer, whose token the API takes, and names the user pool it trusts', async () => {
    const identity = await (await fetch(`${cloud.url}/_local/identity`)).json();
    expect(identity).toEqual(cloud.identity.apiUserPool);
    const customer = (await (await fetch(`${cloud.url}/_local/customer`, { method: 'POST' })).json()) as {
      email: string;
      accessToken: string;
    };
    expect(customer.email).toBe('flow-page@example.com');
    const unknown = await fetch(`${cloud.url}/orders/ord_01J00000000000000000000000`, {
      headers: { authorization: `Bearer ${customer.accessToken}` },
    });
    expect(unknown.status).toBe(404);
  });

  it("plays the bank: a transfer it confirms is the webhook's, signed, for the order's total", async () => {
    const api = apiClient(cloud);
    const placed = await api.placeOrder({ method: 'bank_transfer' });
    const { orderId } = placed.body as { orderId: string };
    const confirm = () =>
      fetch(`${cloud.url}/_local/bank/transfers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    // Refused (409) until the workflow waits for the transfer; then the webhook's own answer.
    const answer = await eventually(confirm, ({ status }) => status !== 409, 20_000);
    expect(answer).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });

    const refused = await fetch(`${cloud.url}/_local/bank/transfers`, {
      method: 'POST',
      body: '{"orderId":',
    });
    expect(refused.status).toBe(400);
  });

  it("reports a message in a dead-letter queue as its queue's DLQ depth", async () => {
    const aws = awsClients(cloud);
    const stream = await openActivityStream(`${cloud.url}/_local/events`);
    try {
      await aws.sqs.send(
        new SendMessageCommand({ QueueUrl: aws.queue('payment-requests-dlq'), MessageBody: '{}' }),
      );
      await stream.until(
        (activity) =>
          activity.kind === 'queues' &&
          activity.queues['serverless-commerce-local-payment-requests']?.dlq === 1,
      );
    } finally {
      stream.close();
    }
  });
});

/** The order in a message of this application's plugin, which sends each order that changed. */
function orderIn(message: PageMessage): OrderSummary | undefined {
  if (message.kind !== 'plugin' || message.plugin !== shopPlugin.name) return undefined;
  return (message.data as ShopMessage).order;
}

/** What this application's plugin added to the snapshot. */
function shopPart(snapshot: FlowSnapshot): ShopSnapshot {
  const part = snapshot.plugins.find((plugin) => plugin.name === shopPlugin.name);
  return part?.data as ShopSnapshot;
}

/** Reads a server-sent event stream as the page's EventSource would, keeping what it has seen. */
async function openActivityStream(url: string) {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  if (!response.body) throw new Error('The activity stream has no body');
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const seen: PageMessage[] = [];
  let buffer = '';
  return {
    seen,
    /** Reads until an activity matches, or fails after the deadline saying what it saw last. */
    async until(matches: (activity: PageMessage) => boolean, timeoutMs = 20_000): Promise<PageMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end === -1) {
          let timer: NodeJS.Timeout | undefined;
          const expired = new Promise<'expired'>((resolve) => {
            timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
          });
          const read = await Promise.race([reader.read(), expired]).finally(() => clearTimeout(timer));
          if (read === 'expired') {
            const last = seen
              .slice(-25)
              .map((activity) => (activity.kind === 'pulse' ? activity.text : JSON.stringify(activity)));
            throw new Error(
              `No matching activity within ${timeoutMs} ms; the last seen:\n${last.join('\n')}`,
            );
          }
          const { value, done } = read;
          if (done) throw new Error('The activity stream ended');
          buffer += value;
          continue;
        }
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice('data: '.length))
          .join('\n');
        if (!data) continue;
        const activity = JSON.parse(data) as PageMessage;
        seen.push(activity);
        if (matches(activity)) return activity;
      }
    },
    close: () => abort.abort(),
  };
}
