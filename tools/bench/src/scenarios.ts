import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import type { LocalCloud } from '@shop/local-cloud/cloud';
import { deterministicId, newId } from '@shop/shared/ids';
import { createCommand, createEvent } from '@shop/shared/messages';
import { signBankTransfer } from '@shop/testing/bank-webhook';
import { busEvent, httpEvent, sqsEvent } from '@shop/testing/events';
import { BENCH_CUSTOMER_ID, BENCH_ORDER } from './bench-order.ts';

/**
 * A realistic event for each function, on fresh data for every invocation where the function
 * changes what it reads (a cancelled order cannot be cancelled twice), and what counts as the
 * expected answer, so that the bench never times an error path by mistake.
 */
export interface Scenario {
  /** The event for one invocation; `warm` is true for the 1,000 warm ones. */
  event(warm: boolean): Promise<unknown>;
  /** Why the answer is not the expected one, or undefined. */
  problem(outcome: { ok: boolean; result: unknown }): string | undefined;
}

const { items } = BENCH_ORDER;
const total = 2999;
/** Every HTTP scenario but the bank's webhook is a request of this signed-in customer. */
const customerId = BENCH_CUSTOMER_ID;

const httpStatus =
  (...expected: number[]) =>
  ({ ok, result }: { ok: boolean; result: unknown }) => {
    const status = (result as { statusCode?: number } | undefined)?.statusCode;
    return ok && status !== undefined && expected.includes(status)
      ? undefined
      : `expected HTTP ${expected.join(' or ')}, got ${JSON.stringify(result).slice(0, 300)}`;
  };

const noFailedRecords = ({ ok, result }: { ok: boolean; result: unknown }) => {
  const failures = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures;
  return ok && failures?.length === 0
    ? undefined
    : `expected no failed record, got ${JSON.stringify(result)}`;
};

const httpError =
  (status: number, message: string) =>
  ({ ok, result }: { ok: boolean; result: unknown }) => {
    const answer = result as { statusCode?: number; body?: string } | undefined;
    return ok && answer?.statusCode === status && answer.body?.includes(message)
      ? undefined
      : `expected HTTP ${status} saying "${message}", got ${JSON.stringify(result).slice(0, 300)}`;
  };

const succeeded = ({ ok, result }: { ok: boolean; result: unknown }) =>
  ok ? undefined : `expected success, got ${JSON.stringify(result)}`;

export function createScenarios(
  cloud: LocalCloud,
  options: {
    /** The stage's webhook secret, as the bank has it: the bench signs its notices with it. */
    webhookSecret: () => Promise<string>;
  },
): Record<string, Scenario> {
  const table = (suffix: string) => {
    const found = cloud.model.tables.find((candidate) => candidate.name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`The local stage has no table ending in -${suffix}`);
    return found.name;
  };
  const functionNamed = (handler: string) => {
    const found = cloud.model.functions.find((fn) => fn.name.endsWith(`-${handler}`));
    if (!found) throw new Error(`The local stage has no function ending in -${handler}`);
    return found.name;
  };
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: cloud.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const put = (suffix: string, item: Record<string, unknown>) =>
    documents.send(new PutCommand({ TableName: table(suffix), Item: item }));
  const now = () => new Date().toISOString();

  async function pendingOrder(): Promise<string> {
    const orderId = newId('ord');
    await put('orders', {
      orderId,
      customerId,
      status: 'PENDING_PAYMENT',
      currency: 'EUR',
      items,
      total,
      payment: { method: 'card', status: 'PENDING', attempts: 0 },
      createdAt: now(),
      updatedAt: now(),
    });
    return orderId;
  }

  async function payment(status: string, fields: Record<string, unknown> = {}): Promise<string> {
    const orderId = newId('ord');
    await put('payments', {
      orderId,
      status,
      method: 'card',
      amount: total,
      currency: 'EUR',
      attempts: 0,
      updatedAt: now(),
      ...fields,
    });
    return orderId;
  }

  const requestPayment = (orderId: string) =>
    createCommand(
      COMMANDS.RequestPayment,
      {
        orderId,
        customerId,
        amount: total,
        currency: 'EUR',
        items,
        // A bank transfer: the workflow it starts waits quietly instead of running in the background.
        payment: { method: 'bank_transfer' },
      },
      { correlationId: newId('cor') },
    );
  const warmPaymentOrder = newId('ord');

  let storedOrder: Promise<string> | undefined;
  let storedInvoice: Promise<string> | undefined;

  return {
    'place-order': {
      event: async () =>
        httpEvent({
          method: 'POST',
          route: '/orders',
          headers: { 'content-type': 'application/json' },
          body: BENCH_ORDER,
          customerId,
        }),
      problem: httpStatus(202),
    },
    'unmatched-route': {
      // The API's `$default` route: a path no route has, answered 404 in the contract's error shape.
      event: async () => {
        const event = httpEvent({ method: 'GET', route: '/orderz', customerId });
        event.routeKey = '$default';
        event.requestContext.routeKey = '$default';
        return event;
      },
      problem: httpStatus(404),
    },
    'get-order': {
      event: async () => {
        storedOrder ??= pendingOrder();
        return httpEvent({
          method: 'GET',
          route: '/orders/{orderId}',
          pathParameters: { orderId: await storedOrder },
          customerId,
        });
      },
      problem: httpStatus(200),
    },
    'cancel-order': {
      event: async () =>
        httpEvent({
          method: 'POST',
          route: '/orders/{orderId}/cancel',
          pathParameters: { orderId: await pendingOrder() },
          customerId,
        }),
      problem: httpStatus(202),
    },
    'apply-order-event': {
      event: async () => {
        const orderId = await pendingOrder();
        const captured = createEvent(
          EVENTS.PaymentCaptured,
          { orderId, captureId: newId('cap'), amount: total, currency: 'EUR', attempts: 1 },
          { correlationId: newId('cor') },
        );
        return sqsEvent([busEvent(captured, EVENTS.PaymentCaptured.source)]);
      },
      problem: noFailedRecords,
    },
    'start-payment': {
      // Warm invocations redeliver one command (the workflow is already started): a thousand new
      // executions would run in the background and time the emulators instead of the function.
      event: async (warm) => sqsEvent([requestPayment(warm ? warmPaymentOrder : newId('ord'))]),
      problem: noFailedRecords,
    },
    authorize: {
      event: async () => ({
        orderId: await payment('STARTED'),
        amount: total,
        currency: 'EUR',
        token: 'tok_visa',
        correlationId: newId('cor'),
      }),
      problem: succeeded,
    },
    capture: {
      event: async () => ({
        orderId: newId('ord'),
        amount: total,
        currency: 'EUR',
        method: 'card',
        authorizationId: newId('aut'),
        correlationId: newId('cor'),
      }),
      problem: succeeded,
    },
    refund: {
      event: async () => ({
        orderId: newId('ord'),
        captureId: newId('cap'),
        amount: total,
        currency: 'EUR',
        correlationId: newId('cor'),
      }),
      problem: succeeded,
    },
    'await-bank-transfer': {
      event: async () => ({
        orderId: await payment('STARTED', { method: 'bank_transfer' }),
        taskToken: newId('tok'),
        correlationId: newId('cor'),
      }),
      problem: succeeded,
    },
    'confirm-bank-transfer': {
      // The bank's notice, signed with the stage's secret, for a transfer that is awaited, but on a
      // token no execution waits on: Step Functions answers TaskDoesNotExist and the function 409,
      // so every call of a confirmation is made (read, conditional write, SendTaskSuccess).
      event: async () => {
        const orderId = await payment('AWAITING_TRANSFER', {
          method: 'bank_transfer',
          taskToken: newId('tok'),
        });
        const notice = { orderId, amount: total, currency: 'EUR', reference: newId('trf'), paidAt: now() };
        const { body, headers } = signBankTransfer(await options.webhookSecret(), notice);
        return httpEvent({ method: 'POST', route: '/webhooks/bank-transfers', headers, body });
      },
      problem: httpError(409, 'no longer awaits a transfer'),
    },
    'cancel-payment': {
      event: async () => {
        const orderId = await payment('CAPTURED', { captureId: newId('cap'), authorizationId: newId('aut') });
        const cancelled = createEvent(
          EVENTS.OrderCancelled,
          { orderId, previousStatus: 'PAID' },
          { correlationId: newId('cor') },
        );
        return sqsEvent([busEvent(cancelled, EVENTS.OrderCancelled.source)]);
      },
      problem: noFailedRecords,
    },
    'issue-invoice': {
      event: async () =>
        sqsEvent([
          createCommand(
            COMMANDS.IssueInvoice,
            {
              orderId: newId('ord'),
              customerId,
              currency: 'EUR',
              items,
              captureId: newId('cap'),
            },
            { correlationId: newId('cor') },
          ),
        ]),
      problem: noFailedRecords,
    },
    'get-invoice': {
      event: async () => {
        storedInvoice ??= (async () => {
          const orderId = newId('ord');
          const command = createCommand(
            COMMANDS.IssueInvoice,
            { orderId, customerId, currency: 'EUR', items, captureId: newId('cap') },
            { correlationId: newId('cor') },
          );
          const issued = await cloud.lambda.invoke(functionNamed('issue-invoice'), sqsEvent([command]));
          if (!issued.ok)
            throw new Error(`Could not issue the invoice get-invoice reads: ${issued.error.errorMessage}`);
          return deterministicId('inv', orderId);
        })();
        return httpEvent({
          method: 'GET',
          route: '/invoices/{invoiceId}',
          pathParameters: { invoiceId: await storedInvoice },
          customerId,
        });
      },
      problem: httpStatus(200),
    },
  };
}
