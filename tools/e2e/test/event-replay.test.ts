import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  type DescribeReplayCommandOutput,
  EventBridgeClient,
  ListArchivesCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { EVENTS } from '@shop/contracts/events';
import type { LocalCloud, LogEntry } from '@shop/local-cloud';
import type { AcceptedEvent } from '@shop/local-cloud/eventbridge/event-bridge-service';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, awsClients, startTestCloud } from './e2e-support.ts';

/**
 * The runbook's repair after a consumer bug, on the local cloud: a window of PaymentCaptured events
 * is replayed from the data stack's archive to the orders' rule, as an operator would with the
 * EventBridge client. The consumers are idempotent, so the replay changes nothing: the orders stay
 * INVOICED with their one invoice, and apply-order-event answers each replayed event as a duplicate.
 */
// Generous under a loaded machine: each wait ends as soon as its condition holds.
const WAIT_MS = 30_000;
let cloud: LocalCloud;
let api: ReturnType<typeof apiClient>;
let aws: ReturnType<typeof awsClients>;
let eventBridge: EventBridgeClient;
const logs: LogEntry[] = [];
const routed: AcceptedEvent[] = [];

beforeAll(async () => {
  cloud = await startTestCloud((entry) => logs.push(entry));
  cloud.eventBridge.onEvent((accepted) => routed.push(accepted));
  api = apiClient(cloud);
  aws = awsClients(cloud);
  eventBridge = new EventBridgeClient({
    region: 'eu-west-1',
    endpoint: cloud.endpoints.eventbridge,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 60_000);

afterAll(async () => {
  eventBridge?.destroy();
  await cloud?.stop();
});

/** Invoiced, with the attempts its PaymentCaptured brings (the queue may deliver it after the invoice). */
const invoiced = (orderId: string) =>
  eventually(
    () => api.getOrder(orderId),
    (response) => response.body?.status === 'INVOICED' && response.body.payment.attempts > 0,
    WAIT_MS,
  ).then((response) => response.body);

/** The orders service's rule on the bus: the one whose target is the order-events queue. */
function orderEventsRuleArn(busArn: string): string {
  const rule = cloud.model.rules.find((candidate) =>
    candidate.targets.some((target) => target.arn.endsWith('-order-events')),
  );
  if (!rule) throw new Error('No rule targets the order-events queue');
  return busArn.replace(/:event-bus\/.*$/, `:rule/${rule.busName}/${rule.name}`);
}

/** What apply-order-event logged for an order's PaymentCaptured events. */
const paymentCapturedOutcomes = (orderId: string) =>
  logs
    .filter(
      (entry) =>
        entry.message === 'Order event handled' &&
        entry.fields?.orderId === orderId &&
        entry.fields?.type === EVENTS.PaymentCaptured.type,
    )
    .map((entry) => entry.fields?.outcome);

describe('a replay of PaymentCaptured events from the archive', () => {
  it('reaches the orders consumer again and changes no order and no invoice', async () => {
    // Event times are to the second: the window starts at the second the first order is placed.
    const windowStart = new Date(Math.floor(Date.now() / 1000) * 1000);
    const placed = await Promise.all([
      api.placeOrder({ method: 'card', token: 'tok_visa' }),
      api.placeOrder({ method: 'card', token: 'tok_visa' }),
    ]);
    const orderIds = placed.map((response) => response.body.orderId as string);
    const before = await Promise.all(orderIds.map(invoiced));
    const invoicesBefore = await aws.count('invoices');

    const { Archives = [] } = await eventBridge.send(new ListArchivesCommand({}));
    const [archive] = Archives;
    const described = await eventBridge.send(
      new DescribeArchiveCommand({ ArchiveName: archive?.ArchiveName }),
    );
    const busArn = described.EventSourceArn ?? '';
    const replayName = `payment-captured-${Date.now()}`;
    await eventBridge.send(
      new StartReplayCommand({
        ReplayName: replayName,
        EventSourceArn: described.ArchiveArn,
        EventStartTime: windowStart,
        EventEndTime: new Date(),
        Destination: { Arn: busArn, FilterArns: [orderEventsRuleArn(busArn)] },
      }),
    );
    const replay = await eventually(
      (): Promise<DescribeReplayCommandOutput> =>
        eventBridge.send(new DescribeReplayCommand({ ReplayName: replayName })),
      (output) => output.State === 'COMPLETED',
      WAIT_MS,
    );

    expect(replay).toMatchObject({ State: 'COMPLETED', EventSourceArn: described.ArchiveArn });
    const replayedCaptures = routed.filter(
      ({ event }) =>
        event['replay-name'] === replayName && event['detail-type'] === EVENTS.PaymentCaptured.type,
    );
    expect(replayedCaptures.map(({ event }) => event.detail.data)).toEqual(
      expect.arrayContaining(orderIds.map((orderId) => expect.objectContaining({ orderId }))),
    );
    // Each order's PaymentCaptured arrives a second time and is recognised as a duplicate.
    for (const orderId of orderIds) {
      await eventually(
        async () => paymentCapturedOutcomes(orderId),
        (outcomes) => outcomes.includes('duplicate'),
        WAIT_MS,
      );
    }
    const after = await Promise.all(orderIds.map((orderId) => api.getOrder(orderId)));
    expect(after.map((response) => response.body)).toEqual(before);
    expect(await aws.count('invoices')).toBe(invoicesBefore);
  }, 120_000);
});
