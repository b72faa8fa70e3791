import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';

// The limit (bundled by ../limit.ts with every `#adapters/*` import resolved to
// in-memory-adapters.ts, and run in a process of its own): the handlers and domain code of the flow
// POST /orders → INVOICED, called directly, with what queues, the bus and the workflow would carry
// delivered at once. No emulator, no polling, no serialization beyond what the handlers do.
//   node harness.mjs '<levels as JSON>'    (answers over IPC)

import type { DomainEvent } from '@shop/contracts/events';
import { handler as invoiceHandler } from '@shop/invoices/handlers/issue-invoice';
import { ORDER_EVENTS } from '@shop/orders/domain/order-events';
import { handler as applyOrderEvent } from '@shop/orders/handlers/apply-order-event';
import { handler as placeOrder } from '@shop/orders/handlers/place-order';
import { handler as authorize } from '@shop/payments/handlers/authorize';
import { handler as capture } from '@shop/payments/handlers/capture';
import { handler as startPayment } from '@shop/payments/handlers/start-payment';
import { createCommand, createEvent } from '@shop/shared/messages';
import { busEvent, httpEvent, lambdaContext, sqsEvent } from '@shop/testing/events';
import type { Context } from 'aws-lambda';
import { BENCH_CUSTOMER_ID, BENCH_ORDER } from '../bench-order.ts';
import { ordersStore, payments, wiring } from './in-memory-adapters.ts';

type Level = { concurrency: number; orders: number };
const levels = JSON.parse(process.argv[2] ?? '[]') as Level[];
const context = lambdaContext('limit');
const invoicedWaiters = new Map<string, (at: number) => void>();

function deliver<T>(handler: (event: T, context: Context) => Promise<unknown>, event: T, what: string) {
  setImmediate(() => {
    handler(event, context).then(
      (result) => {
        const failures = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures ?? [];
        if (failures.length > 0) process.stderr.write(`${what} reported failed records\n`);
      },
      (error: unknown) => process.stderr.write(`${what} failed: ${String(error)}\n`),
    );
  });
}

const orderEventTypes: readonly string[] = ORDER_EVENTS.map(({ type }) => type);

wiring.requestPayment = (command) => deliver(startPayment, sqsEvent([command]), 'start-payment');
wiring.publish = (event: DomainEvent) => {
  if (!orderEventTypes.includes(event.type)) return;
  const orderId = event.data.orderId;
  deliver(
    async (sqs: ReturnType<typeof sqsEvent>, lambda: Context) => {
      const result = await applyOrderEvent(sqs, lambda);
      if (ordersStore.orders.get(orderId)?.status === 'INVOICED') {
        invoicedWaiters.get(orderId)?.(performance.now());
        invoicedWaiters.delete(orderId);
      }
      return result;
    },
    sqsEvent([busEvent(event)]),
    'apply-order-event',
  );
};
// The payment workflow's card path, as its state machine runs it: record the attempt, authorize,
// capture, record the capture, announce it, request the invoice.
wiring.runWorkflow = async (input) => {
  const { orderId, amount, currency, correlationId } = input;
  if (input.payment.method !== 'card') throw new Error('The limit places card orders only');
  const now = new Date().toISOString();
  payments.set(orderId, {
    orderId,
    status: 'STARTED',
    method: 'card',
    amount,
    currency,
    attempts: 0,
    updatedAt: now,
  });
  const authorization = (await authorize(
    { orderId, amount, currency, token: input.payment.token, correlationId },
    context,
  )) as { authorizationId: string };
  const { captureId } = (await capture(
    {
      orderId,
      amount,
      currency,
      method: 'card',
      authorizationId: authorization.authorizationId,
      correlationId,
    },
    context,
  )) as { captureId: string };
  const payment = payments.get(orderId);
  if (payment) Object.assign(payment, { status: 'CAPTURED', captureId, updatedAt: new Date().toISOString() });
  wiring.publish(
    createEvent(
      EVENTS.PaymentCaptured,
      { orderId, captureId, amount, currency, attempts: payment?.attempts ?? 1 },
      { correlationId },
    ),
  );
  const issue = createCommand(
    COMMANDS.IssueInvoice,
    { orderId, customerId: input.customerId, currency, items: input.items, captureId },
    { correlationId },
  );
  deliver(invoiceHandler, sqsEvent([issue]), 'issue-invoice');
};

async function runLevel({ concurrency, orders }: Level) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < orders) {
      next += 1;
      const placedAt = performance.now();
      const response = (await placeOrder(
        httpEvent({
          method: 'POST',
          route: '/orders',
          headers: { 'content-type': 'application/json' },
          body: BENCH_ORDER,
          customerId: BENCH_CUSTOMER_ID,
        }),
        context,
      )) as { statusCode: number; body: string };
      if (response.statusCode !== 202)
        throw new Error(`place-order answered ${response.statusCode}: ${response.body}`);
      const { orderId } = JSON.parse(response.body) as { orderId: string };
      const invoicedAt = await new Promise<number>((resolve) => invoicedWaiters.set(orderId, resolve));
      latencies.push(invoicedAt - placedAt);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { concurrency, orders, seconds: (performance.now() - started) / 1000, latencies };
}

await runLevel({ concurrency: 10, orders: 10 });
const results = [];
for (const level of levels) results.push(await runLevel(level));
process.send?.({ results }, () => process.exit(0));
