import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type LocalCloud,
  type LocalCloudOptions,
  type LocalCustomer,
  type LogSink,
  startLocalCloud,
} from '@shop/local-cloud';
import { inject } from 'vitest';
import { type BankTransferNotice, sendBankTransfer } from '../src/clients/bank-webhook.ts';
import { shopPlugin } from '../src/local-app/shop-plugin.ts';
import { anOrder } from './an-order.ts';
import { apiCall } from './api-call.ts';
import { asyncApiProblem, queueMessageProblem } from './asyncapi-events.ts';

export { anOrder } from './an-order.ts';

/**
 * The local cloud of the end-to-end tests: the synthesized `local` stage with this application's
 * plugin, on ephemeral ports, with the two documented speed-ups. Retry intervals are divided by 100
 * and visibility timeouts capped at 1 s; retry and receive counts are never changed. Every event on
 * its bus is held to docs/api/asyncapi.yaml.
 */
export async function startTestCloud(
  log: LogSink,
  options: Pick<LocalCloudOptions, 'persistDir' | 'retryIntervalScale'> = {},
): Promise<LocalCloud> {
  const cloud = await startLocalCloud({
    assemblyDir: inject('localAssemblyDir'),
    port: 0,
    log,
    plugins: [shopPlugin],
    retryIntervalScale: 0.01,
    maxVisibilityTimeoutSeconds: 1,
    ...options,
  });
  return heldToAsyncApi(cloud);
}

/** Queue message bodies a test plants on purpose, breaking the contract, by cloud. */
const plantedBreaches = new WeakMap<LocalCloud, Set<string>>();

/** Says that a test sends `body` to a queue on purpose, though it breaks the contract (a poison message). */
export function plantBreach(cloud: LocalCloud, body: string): void {
  plantedBreaches.get(cloud)?.add(body);
}

/**
 * Every event on the bus, and every message a consumer takes from a queue, is checked against
 * docs/api/asyncapi.yaml as it passes; the cloud's stop, in the test file's afterAll, fails with
 * every one that broke it, but those a test planted on purpose.
 */
export function heldToAsyncApi(cloud: LocalCloud): LocalCloud {
  const problems: string[] = [];
  const planted = new Set<string>();
  plantedBreaches.set(cloud, planted);
  cloud.eventBridge.onEvent(({ event }) => {
    const problem = asyncApiProblem(event);
    if (problem) problems.push(problem);
  });
  for (const source of cloud.eventSources.values()) {
    source.onBatch(({ bodies }) => {
      for (const body of bodies.filter((each) => !planted.has(each))) {
        const problem = queueMessageProblem(body);
        if (problem) problems.push(problem);
      }
    });
  }
  const stop = cloud.stop;
  cloud.stop = async () => {
    await stop();
    if (problems.length > 0)
      throw new Error(`Events or queue messages broke their contract:\n${problems.join('\n')}`);
  };
  return cloud;
}

/**
 * Small helpers to drive a running local cloud over HTTP, as a client of the API would: signed in
 * as the test customer `customer` (created on first use), whose access token every call carries.
 * A call given an `authorization` header sends that one instead (`''`: none at all). Every answer
 * is held to docs/api/openapi.json: one that breaks it fails the test.
 */
export function apiClient(cloud: LocalCloud, customer = 'e2e') {
  let signedIn: Promise<LocalCustomer> | undefined;
  const signIn = () => {
    signedIn ??= cloud.identity.createCustomer(customer);
    return signedIn;
  };
  const call = apiCall(cloud.url, async () => (await signIn()).accessToken);
  return {
    call,
    /** The signed-in customer: its `sub` is the customerId its orders carry. */
    customer: signIn,
    placeOrder: (payment: Record<string, unknown>, overrides: Record<string, unknown> = {}, headers = {}) =>
      call('POST', '/orders', anOrder({ payment, ...overrides }), headers),
    getOrder: (orderId: string) => call('GET', `/orders/${orderId}`),
  };
}

/** The bank: it pays an order with a notice signed with the local stage's webhook secret. */
export function bank(cloud: LocalCloud) {
  const secret = () => {
    const value = cloud.secrets.webhookSecret();
    if (!value) throw new Error('The local cloud has no bank webhook secret');
    return value;
  };
  return {
    secret,
    pay(notice: { orderId: string; amount: number; currency: string } & Partial<BankTransferNotice>) {
      return sendBankTransfer(cloud.url, secret(), {
        reference: `trf_${notice.orderId}`,
        paidAt: new Date().toISOString(),
        ...notice,
      });
    },
  };
}

export function awsClients(cloud: LocalCloud) {
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb });
  const sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs, useQueueUrlAsEndpoint: false });
  const table = (suffix: string) => {
    const found = cloud.model.tables.find((candidate) => candidate.name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`No table ending in -${suffix}`);
    return found.name;
  };
  const queue = (suffix: string) => {
    const found = cloud.model.queues.find((candidate) => candidate.name.endsWith(`-${suffix}`));
    if (!found) throw new Error(`No queue ending in -${suffix}`);
    return found.url;
  };
  return {
    dynamodb,
    sqs,
    table,
    queue,
    /** An order's item in the Payments table, read consistently. */
    async paymentItem(orderId: string) {
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: table('payments'),
          Key: { orderId: { S: orderId } },
          ConsistentRead: true,
        }),
      );
      return Item ? unmarshall(Item) : undefined;
    },
    async count(suffix: string) {
      const { Count = 0 } = await dynamodb.send(
        new ScanCommand({ TableName: table(suffix), Select: 'COUNT' }),
      );
      return Count;
    },
    async receive(queueSuffix: string) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue(queueSuffix),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      return Messages;
    },
  };
}
