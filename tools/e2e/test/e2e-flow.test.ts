import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { COMMANDS } from '@shop/contracts/commands';
import type { LocalCloud, LogEntry } from '@shop/local-cloud';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrder, apiClient, awsClients, bank, plantBreach, startTestCloud } from './e2e-support.ts';
import { hasSettled } from './settled-order.ts';

/**
 * The whole system on the local cloud, driven through its HTTP API: the synthesized templates of
 * the `local` stage, the real handler bundles, real-protocol emulators. Retry intervals are
 * shortened and visibility timeouts capped (documented local options); retry counts are not.
 */
let cloud: LocalCloud;
let api: ReturnType<typeof apiClient>;
let aws: ReturnType<typeof awsClients>;
const logs: LogEntry[] = [];

beforeAll(async () => {
  cloud = await startTestCloud((entry) => logs.push(entry));
  api = apiClient(cloud);
  aws = awsClients(cloud);
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

/** The refunds the refund function logged for an order: its one invocation that succeeded. */
const refundsLogged = (orderId: string) =>
  logs
    .filter((entry) => entry.message === 'Payment refunded' && entry.fields?.orderId === orderId)
    .map((entry) => entry.fields?.refundId);

/** The order once it reached one of `statuses` and took in every event of its payment (hasSettled). */
const settled = (orderId: string, statuses: string[]) =>
  eventually(
    () => api.getOrder(orderId),
    (response) => hasSettled(response.body, statuses),
  ).then((response) => response.body);

async function paymentStatus(orderId: string): Promise<string | undefined> {
  return (await aws.paymentItem(orderId))?.status;
}

describe('an order placed on the local cloud', () => {
  // The paths of each test token are the target-agnostic scenarios' (scenarios/, npm run e2e): here
  // they run once more for what only the in-process cloud shows, their log lines.
  it('with each test token reaches its final status, for the logs checked below', async () => {
    // One at a time, as a customer would: four at once crowd the queues' 1 s visibility timeouts.
    const orders = [];
    for (const token of ['tok_visa', 'tok_declined', 'tok_flaky', 'tok_outage']) {
      const placed = await api.placeOrder({ method: 'card', token });
      orders.push(await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']));
    }
    expect(orders.map((order) => order.status)).toEqual([
      'INVOICED',
      'PAYMENT_FAILED',
      'INVOICED',
      'PAYMENT_FAILED',
    ]);
  });

  it('with tok_capture_timeout logs the one refund of its unanswered capture, the one its order records', async () => {
    // Its path through the API and the tables is a scenario of every target (scenarios/card-payments).
    const placed = await api.placeOrder({ method: 'card', token: 'tok_capture_timeout' });
    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    expect(order.payment.compensation).toMatchObject({ action: 'refunded' });
    expect(refundsLogged(order.orderId)).toEqual([order.payment.compensation.refundId]);
  });

  it('is refused 401 by the API itself, before any function runs, without a customer token', async () => {
    const invocations = logs.filter((entry) => entry.source.endsWith('-place-order')).length;
    const ordersBefore = await aws.count('orders');
    const response = await api.call('POST', '/orders', anOrder(), { authorization: '' });
    expect(response).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(logs.filter((entry) => entry.source.endsWith('-place-order'))).toHaveLength(invocations);
    expect(await aws.count('orders')).toBe(ordersBefore);
  });
});

describe('requests the API refuses', () => {
  const oversized = anOrder({
    items: [{ sku: 'A', quantity: 1, unitPrice: 100, note: 'x'.repeat(70 * 1024) }],
  });
  const cases: [string, unknown, Record<string, string>, number, string][] = [
    ['a missing field', { ...anOrder(), currency: undefined }, {}, 400, 'validation_failed'],
    ['an unknown field', { ...anOrder(), discount: 5 }, {}, 400, 'validation_failed'],
    ['a wrong type', { ...anOrder(), items: 'many' }, {}, 400, 'validation_failed'],
    [
      'a zero quantity',
      anOrder({ items: [{ sku: 'A', quantity: 0, unitPrice: 100 }] }),
      {},
      400,
      'validation_failed',
    ],
    [
      'a negative price',
      anOrder({ items: [{ sku: 'A', quantity: 1, unitPrice: -1 }] }),
      {},
      400,
      'validation_failed',
    ],
    [
      'a fractional price',
      anOrder({ items: [{ sku: 'A', quantity: 1, unitPrice: 9.99 }] }),
      {},
      400,
      'validation_failed',
    ],
    ['an unknown currency', anOrder({ currency: 'XXX' }), {}, 400, 'validation_failed'],
    ['no items', anOrder({ items: [] }), {}, 400, 'validation_failed'],
    [
      '101 items',
      anOrder({
        items: Array.from({ length: 101 }, (_, i) => ({ sku: `S${i}`, quantity: 1, unitPrice: 1 })),
      }),
      {},
      400,
      'validation_failed',
    ],
    ['a body over 64 KiB', oversized, {}, 413, 'payload_too_large'],
    ['another content type', anOrder(), { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['malformed JSON', '{"currency":', {}, 400, 'malformed_json'],
    [
      'a customerId (the customer is the token)',
      { ...anOrder(), customerId: 'cus_other' },
      {},
      400,
      'validation_failed',
    ],
  ];

  it.each(cases)(
    'refuses %s with its status and error code and writes nothing',
    async (_, body, headers, status, code) => {
      const ordersBefore = await aws.count('orders');
      const executionsBefore = cloud.stepFunctions.listExecutions().length;
      const response = await api.call('POST', '/orders', body, headers);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(await aws.count('orders')).toBe(ordersBefore);
      expect(cloud.stepFunctions.listExecutions()).toHaveLength(executionsBefore);
    },
  );
});

describe('a poison message', () => {
  it('ends in its DLQ without holding back the rest of its batch', async () => {
    const placed = await api.placeOrder({ method: 'bank_transfer' });
    const orderId = placed.body.orderId;
    await eventually(
      () => paymentStatus(orderId),
      (status) => status === 'AWAITING_TRANSFER',
    );
    // A batch of a message no handler can read and a redelivered RequestPayment (a duplicate the
    // consumer acknowledges: the workflow execution is named by the order id).
    const duplicate = {
      id: 'cmd_duplicate',
      type: COMMANDS.RequestPayment.type,
      version: 1,
      correlationId: 'e2e-poison',
      data: {
        ...anOrder({ payment: { method: 'bank_transfer' } }),
        orderId,
        customerId: (await api.customer()).sub,
        amount: 2999,
      },
    };
    plantBreach(cloud, 'this is not JSON');
    await aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: aws.queue('payment-requests'),
        Entries: [
          { Id: 'poison', MessageBody: 'this is not JSON' },
          { Id: 'duplicate', MessageBody: JSON.stringify(duplicate) },
        ],
      }),
    );
    const inDlq = await eventually(
      () => aws.receive('payment-requests-dlq'),
      (messages) => messages.length > 0,
      20_000,
    );
    expect(inDlq.map((message) => message.Body)).toEqual(['this is not JSON']);
    expect(await paymentStatus(orderId)).toBe('AWAITING_TRANSFER');
  });
});

describe('the logs', () => {
  it('never carry a payment token', () => {
    const text = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(0);
    expect(text).not.toMatch(/tok_(visa|declined|flaky|outage)/);
  });

  it('never carry a sign-in token or the webhook secret', async () => {
    const text = JSON.stringify(logs);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    expect(text).not.toContain((await api.customer()).accessToken);
    expect(text).not.toContain(bank(cloud).secret());
  });
});
