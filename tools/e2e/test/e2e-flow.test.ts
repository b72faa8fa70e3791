import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { COMMANDS } from '@shop/contracts/commands';
import type { LocalCloud, LogEntry } from '@shop/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anOrder,
  apiClient,
  awsClients,
  bank,
  eventually,
  plantBreach,
  startTestCloud,
} from './e2e-support.ts';

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

/**
 * The order once it reached one of `statuses` and took in every event of its payment: the
 * order-events queue does not keep order, so an InvoiceIssued can make the order INVOICED before
 * the PaymentCaptured that brings a card payment's attempts (at least one) arrives.
 */
const settled = (orderId: string, statuses: string[]) =>
  eventually(
    () => api.getOrder(orderId),
    (response) =>
      statuses.includes(response.body?.status) &&
      !(
        response.body.status === 'INVOICED' &&
        response.body.payment.method === 'card' &&
        response.body.payment.attempts === 0
      ),
  ).then((response) => response.body);

async function paymentStatus(orderId: string): Promise<string | undefined> {
  return (await aws.paymentItem(orderId))?.status;
}

describe('an order placed on the local cloud', () => {
  it('with tok_visa is paid and invoiced, and its invoice can be read', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_visa' });
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING_PAYMENT', total: 2999, currency: 'EUR' });
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.orderId}`);

    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    expect(order).toMatchObject({ status: 'INVOICED', payment: { status: 'CAPTURED', attempts: 1 } });

    const invoice = await api.call('GET', `/invoices/${order.invoiceId}`);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({
      orderId: order.orderId,
      total: 2999,
      currency: 'EUR',
      tax: 500,
      subtotal: 2499,
    });
    expect(invoice.body.lines).toHaveLength(2);
  });

  it('with tok_declined fails with the reason card_declined and gets no invoice', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_declined' });
    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    expect(order).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', reason: 'card_declined' },
    });
    expect(order.invoiceId).toBeUndefined();
  });

  it('with tok_flaky is invoiced after the workflow retried the provider', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_flaky' });
    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    expect(order.status).toBe('INVOICED');
    expect(order.payment.attempts).toBeGreaterThanOrEqual(3);
  });

  it('with tok_outage fails as provider_unavailable once the retries run out, with no invoice and nothing to refund', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_outage' });
    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    const compensation = { action: 'none_needed' };
    expect(order).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', reason: 'provider_unavailable', attempts: 5, compensation },
    });
    expect(order.invoiceId).toBeUndefined();
    expect(await aws.paymentItem(order.orderId)).toMatchObject({ status: 'FAILED', compensation });
    expect(refundsLogged(order.orderId)).toEqual([]);
  });

  it('with tok_capture_timeout has its unanswered capture refunded, then fails with the refund recorded', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_capture_timeout' });
    const order = await settled(placed.body.orderId, ['INVOICED', 'PAYMENT_FAILED']);
    // The provider refunds the order's capture attempt: the refund of the capture it would have had.
    const compensation = { action: 'refunded', refundId: expect.stringMatching(/^ref_[0-9A-Z]{26}$/) };
    expect(order).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', reason: 'provider_unavailable', attempts: 1, compensation },
    });
    expect(order.invoiceId).toBeUndefined();
    expect(await aws.paymentItem(order.orderId)).toMatchObject({ status: 'FAILED', compensation });
    expect(refundsLogged(order.orderId)).toEqual([order.payment.compensation.refundId]);
  });

  it('by bank transfer waits in PENDING_PAYMENT until the transfer is confirmed, then is invoiced', async () => {
    const placed = await api.placeOrder({ method: 'bank_transfer' });
    const orderId = placed.body.orderId;
    await eventually(
      () => paymentStatus(orderId),
      (status) => status === 'AWAITING_TRANSFER',
    );
    expect((await api.getOrder(orderId)).body.status).toBe('PENDING_PAYMENT');

    // The bank's signed notice of the order's total.
    const notice = { orderId, amount: 2999, currency: 'EUR', reference: `trf_${orderId}` };
    const confirmed = await bank(cloud).pay(notice);
    expect(confirmed).toEqual({ status: 202, body: { orderId, status: 'TRANSFER_CONFIRMED' } });
    expect((await settled(orderId, ['INVOICED', 'PAYMENT_FAILED'])).status).toBe('INVOICED');
    // The bank sends the same notice again: the same answer. Another transfer for it: nothing waits.
    expect(await bank(cloud).pay(notice)).toEqual(confirmed);
    expect((await bank(cloud).pay({ ...notice, reference: `trf_again_${orderId}` })).status).toBe(409);
  });

  it('is seen and cancelled only by the customer who placed it', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_visa' });
    const order = await settled(placed.body.orderId, ['INVOICED']);
    expect(order.customerId).toBe((await api.customer()).sub);
    const other = apiClient(cloud, 'e2e-other');
    const unknownOrder = (await other.call('GET', '/orders/ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T')).body;
    const unknownInvoice = (await other.call('GET', '/invoices/inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T')).body;
    for (const [method, path, unknown] of [
      ['GET', `/orders/${order.orderId}`, unknownOrder],
      ['POST', `/orders/${order.orderId}/cancel`, unknownOrder],
      ['GET', `/invoices/${order.invoiceId}`, unknownInvoice],
    ] as const) {
      // Exactly as an unknown id: whether someone else's order exists is not told.
      expect(await other.call(method, path), path).toMatchObject({ status: 404, body: unknown });
    }
    expect((await api.getOrder(order.orderId)).body).toEqual(order);
  });

  it('is refused 401 by the API itself, before any function runs, without a customer token', async () => {
    const invocations = logs.filter((entry) => entry.source.endsWith('-place-order')).length;
    const ordersBefore = await aws.count('orders');
    const response = await api.call('POST', '/orders', anOrder(), { authorization: '' });
    expect(response).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(logs.filter((entry) => entry.source.endsWith('-place-order'))).toHaveLength(invocations);
    expect(await aws.count('orders')).toBe(ordersBefore);
  });

  it('cancelled while its bank transfer is awaited ends CANCELLED and the workflow stops without capture', async () => {
    const placed = await api.placeOrder({ method: 'bank_transfer' });
    const orderId = placed.body.orderId;
    await eventually(
      () => paymentStatus(orderId),
      (status) => status === 'AWAITING_TRANSFER',
    );

    const cancelled = await api.call('POST', `/orders/${orderId}/cancel`);
    expect(cancelled.status).toBe(202);
    const order = await eventually(
      () => api.getOrder(orderId),
      (response) => response.body.payment.status === 'FAILED',
    );
    expect(order.body).toMatchObject({
      status: 'CANCELLED',
      payment: { status: 'FAILED', reason: 'cancelled' },
    });
    expect(await paymentStatus(orderId)).toBe('CANCELLED');
    expect((await api.call('POST', `/orders/${orderId}/cancel`)).status).toBe(409);
  });

  it('is refused with 409 when cancelled after it was invoiced', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_visa' });
    await settled(placed.body.orderId, ['INVOICED']);
    const refused = await api.call('POST', `/orders/${placed.body.orderId}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('conflict');
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

  it('answers 404 for an unknown order and an unknown invoice, and for ids that cannot exist', async () => {
    for (const path of [
      '/orders/ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      '/orders/..%2F..%2Fetc',
      '/invoices/inv_x%27%20OR%201%3D1',
    ]) {
      const response = await api.call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
  });

  it('answers a replayed Idempotency-Key with the same order, and refuses the key with another body', async () => {
    const key = { 'idempotency-key': `e2e-${Date.now()}` };
    const first = await api.call('POST', '/orders', anOrder(), key);
    const replay = await api.call('POST', '/orders', anOrder(), key);
    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.body.orderId).toBe(first.body.orderId);

    const ordersBefore = await aws.count('orders');
    const reused = await api.call('POST', '/orders', anOrder({ currency: 'USD' }), key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await aws.count('orders')).toBe(ordersBefore);
  });
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

describe('a paid order cancelled before it is invoiced', () => {
  it('is refunded: CANCELLED with the refund recorded', async () => {
    // Stopping the invoices consumer holds the order in PAID long enough to cancel it.
    const issueInvoice = [...cloud.eventSources.keys()].find((name) => name.endsWith('-issue-invoice'));
    await cloud.eventSources.get(issueInvoice ?? '')?.stop();

    const placed = await api.placeOrder({ method: 'card', token: 'tok_visa' });
    const orderId = placed.body.orderId;
    await settled(orderId, ['PAID']);
    expect((await api.call('POST', `/orders/${orderId}/cancel`)).status).toBe(202);

    const order = await eventually(
      () => api.getOrder(orderId),
      (response) => response.body.refund !== undefined,
    );
    expect(order.body).toMatchObject({
      status: 'CANCELLED',
      payment: { status: 'REFUNDED' },
      refund: { amount: 2999 },
    });
    expect(await paymentStatus(orderId)).toBe('REFUNDED');
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
