import { randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { eventually as waitFor } from '@shop/testing/eventually';
import { afterAll, inject, type TestContext } from 'vitest';
import { type BankTransferNotice, sendBankTransfer } from '../src/clients/bank-webhook.ts';
import { type SignedInCustomer, testCustomers } from '../src/clients/test-customers.ts';
import type { OrderJourney } from '../src/e2e/report.ts';
import type { Target } from '../src/target/target.ts';
import { anOrder } from '../test/an-order.ts';
import { apiCall } from '../test/api-call.ts';
import { hasSettled } from '../test/settled-order.ts';
import { eventStream } from './event-stream.ts';
import { callbackTimeoutSeconds, retryBudgetSeconds } from './workflow-deadlines.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The stage the scenarios run against, resolved by the e2e command (src/target). */
    e2eTarget: Target;
    /** Names this run's test customers, so that runs side by side on one stage never share one. */
    e2eRunId: string;
    /** --skip-slow: the scenarios that wait out the workflow's retries do not run. */
    e2eSkipSlow: boolean;
  }
}

/**
 * What every scenario file uses: the target, read only through its HTTP API and the AWS calls the
 * pipeline grants the suite (Cognito admin calls for its customers, DynamoDB GetItem/Query, the
 * Kinesis stream, DescribeStateMachine). Clients take the SDK's default endpoints, credentials
 * and the target's region: on a local cloud, the `AWS_ENDPOINT_URL_*` variables it exports.
 */
export const target = inject('e2eTarget');
const runId = inject('e2eRunId');
const region = target.region;
const dynamodb = new DynamoDBClient({ region });
export const stream = eventStream(target);

/** Every customer a scenario file signs in, deleted when the file ends. */
const customers = testCustomers({ region, userPoolId: target.userPoolId, clientId: target.clientId });
const signedIn = new Set<string>();
afterAll(async () => {
  await Promise.all([...signedIn].map((name) => customers.remove(name)));
  stream.stop();
  dynamodb.destroy();
});

/**
 * How long the stage may take to settle an order: a margin for the functions and queues, plus the
 * longest the workflow's retriers can wait, read from the definition the target reports it runs.
 */
const PROCESSING_MARGIN_MS = 60_000;
const definition = new SFNClient({ region })
  .send(new DescribeStateMachineCommand({ stateMachineArn: target.stateMachineArn }))
  .then(({ definition: text }) => JSON.parse(text ?? '{}') as unknown);
export async function settleDeadlineMs(): Promise<number> {
  return PROCESSING_MARGIN_MS + retryBudgetSeconds(await definition) * 1000;
}

/** How long the workflow waits for the bank before it fails the order: the bank must pay sooner. */
export async function transferWaitMs(): Promise<number> {
  const seconds = callbackTimeoutSeconds(await definition);
  if (seconds === undefined) throw new Error('The payment workflow has no callback task with a timeout');
  return seconds * 1000;
}

/**
 * A customer of the API, signed in on the target's pool under a name of this run. Every answer is
 * held to docs/api/openapi.json: one that breaks it fails the scenario.
 */
export function customer(name: string) {
  const fullName = `e2e-${runId}-${name}`;
  let session: Promise<SignedInCustomer> | undefined;
  const signIn = () => {
    if (!session) {
      signedIn.add(fullName);
      session = customers.signIn(fullName);
    }
    return session;
  };
  const call = apiCall(target.apiUrl, async () => (await signIn()).accessToken);
  return {
    call,
    /** The customer's id, as its orders carry it: the `sub` of its access token. */
    async id(): Promise<string> {
      const [, payload = ''] = (await signIn()).accessToken.split('.');
      return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string }).sub;
    },
    /** The customer's `Bearer <access token>`. */
    bearer: async () => `Bearer ${(await signIn()).accessToken}`,
    placeOrder: (payment: Record<string, unknown>, headers: Record<string, string> = {}) =>
      call('POST', '/orders', anOrder({ payment }), headers),
    getOrder: (orderId: string) => call('GET', `/orders/${orderId}`),
    cancel: (orderId: string) => call('POST', `/orders/${orderId}/cancel`),
    /** How many orders the customer has, read from the Orders table's index by customer. */
    async orderCount(): Promise<number> {
      const { Count = 0 } = await dynamodb.send(
        new QueryCommand({
          TableName: target.tables.orders,
          IndexName: 'byCustomer',
          KeyConditionExpression: 'customerId = :customer',
          ExpressionAttributeValues: { ':customer': { S: await this.id() } },
          Select: 'COUNT',
        }),
      );
      return Count;
    },
  };
}

export type Customer = ReturnType<typeof customer>;

/** The bank: it pays an order with a notice signed with the stage's webhook secret. */
export function bankPays(
  notice: { orderId: string; amount: number; currency: string } & Partial<BankTransferNotice>,
) {
  return sendBankTransfer(target.apiUrl, target.webhookSecret, {
    reference: `trf_${notice.orderId}`,
    paidAt: new Date().toISOString(),
    ...notice,
  });
}

/** An order's item in the Payments table, read consistently. */
export async function paymentItem(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: target.tables.payments,
      Key: { orderId: { S: orderId } },
      ConsistentRead: true,
    }),
  );
  return Item ? unmarshall(Item) : undefined;
}

/** Waits for a condition on the target, within a deadline the scenario derives; asks every 100 ms. */
export const eventually = <T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number) =>
  waitFor(read, done, timeoutMs, 100);

/** The order once it reached one of `statuses` and took in every event of its payment (hasSettled). */
export async function settled(client: Customer, orderId: string, statuses: string[]) {
  const answer = await eventually(
    () => client.getOrder(orderId),
    (response) => hasSettled(response.body, statuses),
    await settleDeadlineMs(),
  );
  return answer.body;
}

/**
 * Records an order's journey for the parity report, once the event that ends it is on the stream:
 * its event types in stream order (each held to docs/api/asyncapi.yaml), and its final statuses.
 */
export async function recordJourney(
  context: TestContext,
  label: string,
  client: Customer,
  orderId: string,
  lastEvent: string,
): Promise<OrderJourney> {
  const events = await stream.eventsUntil(orderId, lastEvent, await settleDeadlineMs());
  const journey: OrderJourney = {
    events,
    orderStatus: (await client.getOrder(orderId)).body?.status,
    paymentStatus: (await paymentItem(orderId))?.status as string | undefined,
  };
  const record = context.task.meta.scenario ?? { orders: {} };
  record.orders[label] = journey;
  context.task.meta.scenario = record;
  return journey;
}

/** A run's own id, for names that must not meet those of another run on the same stage. */
export const uniqueKey = (prefix: string) => `${prefix}-${runId}-${randomBytes(4).toString('hex')}`;
