import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS } from '@shop/contracts/events';
import { startLocalCloud } from '@shop/local-cloud';
import {
  createEventBridgeService,
  type EventBridgeEvent,
  type EventBridgeService,
  type EventDeliveryJournal,
} from '@shop/local-cloud/eventbridge/event-bridge-service';
import { EventDeliveryFile } from '@shop/local-cloud/eventbridge/event-delivery-journal';
import { createEvent } from '@shop/shared/messages';
import { eventually } from '@shop/testing/eventually';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { apiClient } from './e2e-support.ts';

/**
 * The local EventBridge answers PutEvents before it delivers, as AWS does; on AWS the accepted event
 * is delivered whatever happens next. With `--persist`, the local cloud keeps that promise across a
 * killed process: a workflow that published `PaymentFailed` and ended must not leave its order
 * PENDING_PAYMENT because the process died before the event reached the order-events queue.
 */
const region = 'eu-west-1';
const accountId = '000000000000';
const bus = { name: 'shop-local', arn: `arn:aws:events:${region}:${accountId}:event-bus/shop-local` };
const orderEvents = { id: 'OrderEvents', arn: `arn:aws:sqs:${region}:${accountId}:order-events` };
const paymentFailed = {
  Source: 'serverless-commerce.payments',
  DetailType: EVENTS.PaymentFailed.type,
  Detail: JSON.stringify({ orderId: 'ord_1', reason: 'card_declined' }),
  EventBusName: bus.name,
};

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function persistDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'event-delivery-journal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startBus(options: {
  journal: EventDeliveryJournal;
  deliver: (event: EventBridgeEvent) => Promise<void>;
  retryDelayMs?: number;
}): Promise<EventBridgeService> {
  const service = await createEventBridgeService({
    buses: [bus],
    rules: [
      {
        name: 'PaymentsToOrders',
        busName: bus.name,
        pattern: { source: ['serverless-commerce.payments'] },
        targets: [orderEvents],
      },
    ],
    deliver: (_target, _payload, delivery) => options.deliver(delivery.event),
    log: () => undefined,
    region,
    accountId,
    journal: options.journal,
    retry: { baseDelayMs: options.retryDelayMs ?? 10 },
  });
  cleanups.push(() => service.stop());
  return service;
}

async function waitFor<T>(what: string, read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the event delivery journal of --persist', () => {
  it('delivers after a restart an event the killed cloud had accepted but not yet delivered', async () => {
    const dir = persistDir();
    // The first cloud's target never answers before the kill; its delivery is released (failed)
    // only when the test ends, as the process that held it would have died.
    const heldDeliveries: ((error: Error) => void)[] = [];
    const first = await startBus({
      journal: EventDeliveryFile.open(dir).journal,
      deliver: () => new Promise((_resolve, reject) => heldDeliveries.push(reject)),
    });
    // Runs before the first bus stops, which waits for its deliveries.
    cleanups.push(() => {
      for (const release of heldDeliveries) release(new Error('the process was killed'));
    });
    const { Entries } = await first.putEvents([paymentFailed]);
    const eventId = (Entries[0] as { EventId: string }).EventId;
    await waitFor('the first delivery attempt', () => (heldDeliveries.length > 0 ? true : undefined));

    // The restart: what the file holds now is all a new process would find.
    const { journal, undelivered } = EventDeliveryFile.open(dir);
    expect(undelivered.map(({ event }) => event.id)).toEqual([eventId]);
    const delivered: EventBridgeEvent[] = [];
    const second = await startBus({ journal, deliver: async (event) => void delivered.push(event) });
    second.redeliver(undelivered);

    const event = await waitFor('the redelivery', () => delivered[0]);
    expect(event).toMatchObject({
      id: eventId,
      'detail-type': EVENTS.PaymentFailed.type,
      detail: { orderId: 'ord_1' },
    });
  });

  it('forgets an event once its target has it, so a later restart delivers nothing twice', async () => {
    const dir = persistDir();
    const delivered: string[] = [];
    const service = await startBus({
      journal: EventDeliveryFile.open(dir).journal,
      deliver: async (event) => void delivered.push(event.id),
    });
    await service.putEvents([paymentFailed, paymentFailed]);
    await waitFor('both deliveries journaled', () => {
      const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n');
      return lines.filter((line) => line.includes('"kind":"delivered"')).length === 2 ? true : undefined;
    });

    expect(delivered).toHaveLength(2);
    expect(EventDeliveryFile.open(dir).undelivered).toEqual([]);
  });

  it('keeps an event whose delivery was still being retried when the cloud was stopped', async () => {
    const dir = persistDir();
    let attempts = 0;
    const service = await startBus({
      journal: EventDeliveryFile.open(dir).journal,
      deliver: async () => {
        attempts += 1;
        throw new Error('the queue is unreachable');
      },
      // Long enough that stop() always finds the delivery waiting for its retry.
      retryDelayMs: 60_000,
    });
    const { Entries } = await service.putEvents([paymentFailed]);
    await waitFor('the first delivery attempt', () => (attempts > 0 ? true : undefined));
    await service.stop();

    const { undelivered } = EventDeliveryFile.open(dir);
    expect(undelivered.map(({ event }) => event.id)).toEqual([(Entries[0] as { EventId: string }).EventId]);
  });

  it('forgets an event that failed for good after its retries, as EventBridge drops it', async () => {
    const dir = persistDir();
    let attempts = 0;
    await startBus({
      journal: EventDeliveryFile.open(dir).journal,
      deliver: async () => {
        attempts += 1;
        throw new Error('the queue refuses it');
      },
      retryDelayMs: 1,
    }).then((service) => service.putEvents([paymentFailed]));
    await waitFor('the delivery given up and journaled', () =>
      readFileSync(join(dir, 'events.jsonl'), 'utf8').includes('"kind":"delivered"') ? true : undefined,
    );

    expect(attempts).toBe(4);
    expect(EventDeliveryFile.open(dir).undelivered).toEqual([]);
  });
});

describe('the local cloud on a --persist folder', () => {
  /** Starts the local cloud on `dir`, as many times as called: each a run of the same --persist folder. */
  const cloudOn = (dir: string) => () =>
    startLocalCloud({
      assemblyDir: inject('localAssemblyDir'),
      port: 0,
      log: () => undefined,
      persistDir: dir,
      retryIntervalScale: 0.01,
      maxVisibilityTimeoutSeconds: 1,
    });

  it('stops a workflow whose task is running so that it resumes after a restart, instead of failing the payment', async () => {
    const start = cloudOn(persistDir());
    const first = await start();
    let firstRunning = true;
    cleanups.push(() => (firstRunning ? first.stop() : undefined));
    // Stop the moment the workflow hands the card to its Authorize function: its invocation is in flight.
    const authorizing = new Promise<string>((resolve) =>
      first.stepFunctions.onEvent((event) => {
        if (event.kind === 'state' && event.type === 'StateEntered' && event.stateName === 'Authorize') {
          resolve(event.executionArn);
        }
      }),
    );
    const placed = await apiClient(first).placeOrder({ method: 'card', token: 'tok_visa' });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body as { orderId: string };
    const executionArn = await authorizing;
    await first.stop();
    firstRunning = false;
    expect(first.stepFunctions.describeExecution(executionArn)?.status).toBe('ABORTED');

    const second = await start();
    cleanups.push(() => second.stop());
    const order = await eventually(
      () => apiClient(second).getOrder(orderId),
      ({ body }) => ['INVOICED', 'PAYMENT_FAILED'].includes(body?.status),
      60_000,
    );
    expect(order.body).toMatchObject({ status: 'INVOICED' });
  }, 120_000);

  it('delivers at start the events a killed run had accepted, and the order they settle settles', async () => {
    const dir = persistDir();
    const start = cloudOn(dir);
    // A bank transfer waits in PENDING_PAYMENT: nothing else will move the order.
    const first = await start();
    let firstRunning = true;
    cleanups.push(() => (firstRunning ? first.stop() : undefined));
    const placed = await apiClient(first).placeOrder({ method: 'bank_transfer' });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body as { orderId: string };
    const bus = first.model.buses[0] as { name: string; arn: string };
    await first.stop();
    firstRunning = false;

    // What a process killed right after the workflow's PutEvents had answered leaves in the journal.
    const failure = createEvent(
      EVENTS.PaymentFailed,
      { orderId, reason: 'card_declined', attempts: 1 },
      { correlationId: 'restart-test' },
    );
    EventDeliveryFile.open(join(dir, 'eventbridge')).journal.accepted([
      {
        bus: bus.name,
        event: {
          version: '0',
          id: randomUUID(),
          'detail-type': EVENTS.PaymentFailed.type,
          source: 'serverless-commerce.payments',
          account: '000000000000',
          time: failure.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
          region: bus.arn.split(':')[3] as string,
          resources: [],
          detail: failure,
        },
      },
    ]);

    const second = await start();
    cleanups.push(() => second.stop());
    const order = await eventually(
      () => apiClient(second).getOrder(orderId),
      ({ body }) => body?.status === 'PAYMENT_FAILED',
      60_000,
    );
    expect(order.body).toMatchObject({ status: 'PAYMENT_FAILED', payment: { reason: 'card_declined' } });
  }, 120_000);
});
