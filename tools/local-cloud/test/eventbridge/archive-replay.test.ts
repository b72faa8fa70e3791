import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelReplayCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  StartReplayCommand,
  type StartReplayCommandInput,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { EventArchives } from '../../src/eventbridge/event-archive.ts';
import {
  type ArchiveDefinition,
  createEventBridgeService,
  type Delivery,
  type EventBridgeEvent,
  type EventBridgeServiceOptions,
  type EventRule,
} from '../../src/eventbridge/event-bridge-service.ts';

/**
 * Archives and replays as an EventBridgeClient sees them: the archive keeps what PutEvents accepted
 * on its bus and its pattern matches; StartReplay sends a window of it again to the bus's rules (or
 * the FilterArns), with `replay-name` set; DescribeReplay follows it to COMPLETED.
 */
const region = 'eu-west-1';
const accountId = '111122223333';
const arn = (path: string) => `arn:aws:events:${region}:${accountId}:${path}`;
const shopBus = { name: 'shop-local', arn: arn('event-bus/shop-local') };
const otherBus = { name: 'other', arn: arn('event-bus/other') };
const archive: ArchiveDefinition = {
  name: 'shop-local-events',
  arn: arn('archive/shop-local-events'),
  sourceArn: shopBus.arn,
  pattern: { source: [{ prefix: 'serverless-commerce.' }] },
  retentionDays: 7,
  description: 'Every domain event',
};
const queue = (id: string) => ({ id, arn: `arn:aws:sqs:${region}:${accountId}:${id}` });
const rules: EventRule[] = [
  {
    name: 'OrderEvents',
    busName: shopBus.name,
    pattern: { 'detail-type': ['ChargeCaptured'] },
    targets: [queue('order-events')],
  },
  {
    name: 'DomainEventsToStream',
    busName: shopBus.name,
    pattern: { source: [{ prefix: 'serverless-commerce.' }] },
    targets: [queue('stream')],
  },
  {
    name: 'LiveOnly',
    busName: shopBus.name,
    pattern: { 'detail-type': ['ChargeCaptured'], 'replay-name': [{ exists: false }] },
    targets: [queue('live-only')],
  },
  {
    name: 'ReplaysOnly',
    busName: shopBus.name,
    pattern: { 'replay-name': [{ exists: true }] },
    targets: [queue('replays-only')],
  },
];
const ruleArn = (name: string) => arn(`rule/${shopBus.name}/${name}`);

interface Delivered {
  target: string;
  event: EventBridgeEvent;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Partial<EventBridgeServiceOptions> = {}) {
  const delivered: Delivered[] = [];
  const service = await createEventBridgeService({
    buses: [shopBus, otherBus],
    rules,
    archives: [archive],
    region,
    accountId,
    log: () => undefined,
    async deliver(target, _payload, delivery: Delivery) {
      delivered.push({ target: target.id, event: delivery.event });
    },
    retry: { baseDelayMs: 1 },
    ...overrides,
  });
  const client = new EventBridgeClient({
    endpoint: service.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    client.destroy();
    stopped ??= service.stop();
    return stopped;
  };
  cleanups.push(stop);
  return { service, client, delivered, stop };
}

function entry(orderId: string, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    EventBusName: shopBus.name,
    Source: 'serverless-commerce.payments',
    DetailType: 'ChargeCaptured',
    Detail: JSON.stringify({ orderId }),
    ...overrides,
  };
}

async function waitFor<T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const replayOf = (client: EventBridgeClient, name: string) =>
  client.send(new DescribeReplayCommand({ ReplayName: name }));

async function completed(client: EventBridgeClient, name: string) {
  return waitFor(
    `replay ${name} to end`,
    () => replayOf(client, name),
    (replay) => ['COMPLETED', 'CANCELLED', 'FAILED'].includes(replay.State ?? ''),
  );
}

/** PutEvents, then the live deliveries of those events done, so that only a replay's follow. */
async function putAndDeliver(
  client: EventBridgeClient,
  delivered: Delivered[],
  entries: PutEventsRequestEntry[],
  deliveries: number,
) {
  const before = delivered.length;
  const result = await client.send(new PutEventsCommand({ Entries: entries }));
  expect(result.FailedEntryCount).toBe(0);
  await waitFor(
    'the live deliveries',
    () => delivered.length - before,
    (count) => count === deliveries,
  );
  return (result.Entries ?? []).map((item) => item.EventId);
}

function replayInput(overrides: Partial<StartReplayCommandInput> = {}): StartReplayCommandInput {
  return {
    ReplayName: 'replay-1',
    EventSourceArn: archive.arn,
    EventStartTime: new Date(Date.now() - 60 * 60_000),
    EventEndTime: new Date(),
    Destination: { Arn: shopBus.arn },
    ...overrides,
  };
}

describe('the archives of the local EventBridge', () => {
  it('lists and describes the archive of the template, counting only the events its pattern matches', async () => {
    const { client, delivered } = await start();
    // Matched by the archive's pattern: two; from another source: not archived.
    await putAndDeliver(client, delivered, [entry('o-1'), entry('o-2')], 6);
    await client.send(new PutEventsCommand({ Entries: [entry('o-3', { Source: 'someone.else' })] }));

    const { Archives = [] } = await client.send(new ListArchivesCommand({ NamePrefix: 'shop-' }));
    const described = await client.send(new DescribeArchiveCommand({ ArchiveName: archive.name }));

    expect(Archives).toEqual([
      {
        ArchiveName: archive.name,
        EventSourceArn: shopBus.arn,
        State: 'ENABLED',
        RetentionDays: 7,
        SizeBytes: expect.any(Number),
        EventCount: 2,
        CreationTime: expect.any(Date),
      },
    ]);
    expect(described).toMatchObject({
      ArchiveArn: archive.arn,
      ArchiveName: archive.name,
      Description: 'Every domain event',
      EventCount: 2,
    });
    expect(JSON.parse(described.EventPattern ?? '')).toEqual(archive.pattern);
    const { Archives: onOtherBus } = await client.send(
      new ListArchivesCommand({ EventSourceArn: otherBus.arn }),
    );
    expect(onOtherBus).toEqual([]);
  });

  it('answers ResourceNotFoundException for an archive it does not have', async () => {
    const { client } = await start();

    await expect(
      client.send(new DescribeArchiveCommand({ ArchiveName: 'no-such-archive' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Archive no-such-archive does not exist.',
    });
  });

  it('keeps an event only as long as the archive retains events', () => {
    let now = Date.parse('2026-11-01T12:00:00Z');
    const archives = new EventArchives([archive], [shopBus], { now: () => now });
    const event = (id: string, time: string): EventBridgeEvent => ({
      version: '0',
      id,
      'detail-type': 'ChargeCaptured',
      source: 'serverless-commerce.payments',
      account: accountId,
      time,
      region,
      resources: [],
      detail: {},
    });
    archives.record(shopBus, event('old', '2026-11-01T12:00:00Z'));
    now += 3 * 24 * 60 * 60_000;
    archives.record(shopBus, event('recent', '2026-11-04T12:00:00Z'));
    now += 5 * 24 * 60 * 60_000;

    const view = archives.byName(archive.name);
    const window = view?.eventsBetween(0, now).map(({ event: { id } }) => id);

    expect(window).toEqual(['recent']);
    expect(view?.eventCount).toBe(1);
  });
});

describe('a replay of the archive', () => {
  it('sends the window again to the rules of the bus with replay-name set, and ends COMPLETED', async () => {
    const { client, delivered } = await start();
    const windowStart = new Date(Math.floor(Date.now() / 1000) * 1000);
    const ids = await putAndDeliver(client, delivered, [entry('o-1'), entry('o-2')], 6);
    const live = delivered.length;

    const started = await client.send(new StartReplayCommand(replayInput({ EventStartTime: windowStart })));
    const replay = await completed(client, 'replay-1');

    expect(started).toMatchObject({ ReplayArn: arn('replay/replay-1'), State: 'STARTING' });
    expect(replay).toMatchObject({
      ReplayName: 'replay-1',
      State: 'COMPLETED',
      EventSourceArn: archive.arn,
      Destination: { Arn: shopBus.arn },
      ReplayStartTime: started.ReplayStartTime,
    });
    expect(replay.ReplayEndTime?.getTime()).toBeGreaterThanOrEqual(replay.ReplayStartTime?.getTime() ?? 0);
    expect(replay.EventLastReplayedTime?.getTime()).toBeGreaterThanOrEqual(windowStart.getTime());
    const replayed = delivered.slice(live);
    // The same events (same ids), to every rule but the one that takes live events only.
    expect(replayed.map(({ target }) => target).sort()).toEqual(
      ['order-events', 'order-events', 'replays-only', 'replays-only', 'stream', 'stream'].sort(),
    );
    expect(new Set(replayed.map(({ event }) => event.id))).toEqual(new Set(ids));
    expect(replayed.every(({ event }) => event['replay-name'] === 'replay-1')).toBe(true);
    // Replayed events are not archived again.
    const described = await client.send(new DescribeArchiveCommand({ ArchiveName: archive.name }));
    expect(described.EventCount).toBe(2);
  });

  it('sends only the events whose time is in the window', async () => {
    const { client, delivered } = await start();
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    await putAndDeliver(
      client,
      delivered,
      [entry('before', { Time: at(30) }), entry('inside', { Time: at(15) }), entry('after', { Time: at(5) })],
      9,
    );
    const live = delivered.length;

    await client.send(
      new StartReplayCommand(
        replayInput({
          EventStartTime: at(20),
          EventEndTime: at(10),
          Destination: { Arn: shopBus.arn, FilterArns: [ruleArn('OrderEvents')] },
        }),
      ),
    );
    const replay = await completed(client, 'replay-1');

    expect(delivered.slice(live).map(({ event }) => event.detail.orderId)).toEqual(['inside']);
    expect(replay.EventLastReplayedTime).toEqual(new Date(Math.floor(at(15).getTime() / 1000) * 1000));
  });

  it('sends the events only to the rules FilterArns names', async () => {
    const { client, delivered } = await start();
    await putAndDeliver(client, delivered, [entry('o-1')], 3);
    const live = delivered.length;

    await client.send(
      new StartReplayCommand(
        replayInput({ Destination: { Arn: shopBus.arn, FilterArns: [ruleArn('OrderEvents')] } }),
      ),
    );
    const replay = await completed(client, 'replay-1');

    expect(replay.Destination).toEqual({ Arn: shopBus.arn, FilterArns: [ruleArn('OrderEvents')] });
    expect(delivered.slice(live).map(({ target }) => target)).toEqual(['order-events']);
  });

  it('is RUNNING while its events are delivered, and can be cancelled', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Released whatever happens, or stopping the service would wait on the held delivery.
    cleanups.push(() => release());
    const { client, service } = await start({
      async deliver(_target, _payload, delivery) {
        if (delivery.event['replay-name']) await held;
      },
    });
    await service.putEvents([entry('o-1')]);
    await waitFor(
      'the archived event',
      async () => (await client.send(new DescribeArchiveCommand({ ArchiveName: archive.name }))).EventCount,
      (count) => count === 1,
    );

    await client.send(new StartReplayCommand(replayInput()));
    await waitFor(
      'the replay to run',
      () => replayOf(client, 'replay-1'),
      (replay) => replay.State === 'RUNNING',
    );
    const cancelled = await client.send(new CancelReplayCommand({ ReplayName: 'replay-1' }));
    release();
    const replay = await completed(client, 'replay-1');

    expect(cancelled).toMatchObject({ ReplayArn: arn('replay/replay-1'), State: 'CANCELLING' });
    expect(replay.State).toBe('CANCELLED');
    await expect(client.send(new CancelReplayCommand({ ReplayName: 'replay-1' }))).rejects.toMatchObject({
      name: 'IllegalStatusException',
    });
  });

  it('is listed, by name prefix, state and archive, a page at a time', async () => {
    const { client } = await start();
    for (const name of ['nightly-1', 'nightly-2', 'adhoc-1']) {
      await client.send(new StartReplayCommand(replayInput({ ReplayName: name })));
      await completed(client, name);
    }

    const first = await client.send(new ListReplaysCommand({ NamePrefix: 'nightly-', Limit: 1 }));
    const second = await client.send(
      new ListReplaysCommand({ NamePrefix: 'nightly-', Limit: 1, NextToken: first.NextToken }),
    );
    const byArchive = await client.send(
      new ListReplaysCommand({ EventSourceArn: archive.arn, State: 'COMPLETED' }),
    );

    expect(first.Replays?.map((replay) => replay.ReplayName)).toEqual(['nightly-1']);
    expect(second.Replays?.map((replay) => replay.ReplayName)).toEqual(['nightly-2']);
    expect(second.NextToken).toBeUndefined();
    expect(byArchive.Replays?.map((replay) => replay.ReplayName)).toEqual([
      'nightly-1',
      'nightly-2',
      'adhoc-1',
    ]);
    expect(byArchive.Replays?.[0]).toMatchObject({ State: 'COMPLETED', EventSourceArn: archive.arn });
  });
});

describe('a replay the local EventBridge refuses, as AWS does', () => {
  const refusals: [string, Partial<StartReplayCommandInput>, { name: string; message: string | RegExp }][] = [
    [
      'an archive it does not have',
      { EventSourceArn: arn('archive/no-such-archive') },
      {
        name: 'ValidationException',
        message: 'Parameter EventSourceArn is not valid. Reason: Archive no-such-archive does not exist.',
      },
    ],
    [
      'an end before the start',
      { EventStartTime: new Date(Date.now() - 60_000), EventEndTime: new Date(Date.now() - 120_000) },
      {
        name: 'ValidationException',
        message: 'Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.',
      },
    ],
    [
      'a window in the future',
      {
        EventStartTime: new Date(Date.now() + 60 * 60_000),
        EventEndTime: new Date(Date.now() + 120 * 60_000),
      },
      { name: 'ValidationException', message: /^Parameter EventStartTime is not valid/ },
    ],
    [
      'a destination bus other than the archive’s',
      { Destination: { Arn: otherBus.arn } },
      {
        name: 'ValidationException',
        message: 'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
      },
    ],
    [
      'a destination bus that does not exist',
      { Destination: { Arn: arn('event-bus/nowhere') } },
      { name: 'ResourceNotFoundException', message: 'Event bus nowhere does not exist.' },
    ],
    [
      'a destination that is not a bus',
      { Destination: { Arn: arn('rule/shop-local/OrderEvents') } },
      {
        name: 'ValidationException',
        message: 'Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.',
      },
    ],
    [
      'a FilterArns rule the bus does not have',
      { Destination: { Arn: shopBus.arn, FilterArns: [ruleArn('NoSuchRule')] } },
      {
        name: 'ResourceNotFoundException',
        message: 'Rule NoSuchRule does not exist on EventBus shop-local.',
      },
    ],
    [
      'a name with characters a replay name cannot have',
      { ReplayName: 'replay one' },
      { name: 'ValidationException', message: /at 'replayName' failed to satisfy constraint/ },
    ],
  ];

  it.each(refusals)('refuses %s', async (_what, overrides, error) => {
    const { client } = await start();

    await expect(client.send(new StartReplayCommand(replayInput(overrides)))).rejects.toMatchObject(error);
    const { Replays } = await client.send(new ListReplaysCommand({}));
    expect(Replays).toEqual([]);
  });

  it('refuses a name already taken, and describes no replay it does not have', async () => {
    const { client } = await start();
    await client.send(new StartReplayCommand(replayInput()));

    await expect(client.send(new StartReplayCommand(replayInput()))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
      message: 'Replay replay-1 already exists.',
    });
    await expect(replayOf(client, 'replay-2')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Replay replay-2 does not exist.',
    });
  });
});

describe('archives and replays across a restart (--persist)', () => {
  it('keeps the archived events and the replays, and fails a replay the stop cut short', async () => {
    const persistDir = mkdtempSync(join(tmpdir(), 'event-archive-'));
    cleanups.push(() => rmSync(persistDir, { recursive: true, force: true }));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Released whatever happens, or stopping the service would wait on the held delivery.
    cleanups.push(() => release());
    const first = await start({
      persistDir,
      async deliver(_target, _payload, delivery) {
        if (delivery.event['replay-name'] === 'cut-short') await held;
      },
    });
    await first.service.putEvents([entry('o-1'), entry('o-2')]);
    await first.client.send(new StartReplayCommand(replayInput({ ReplayName: 'done' })));
    await completed(first.client, 'done');
    await first.client.send(new StartReplayCommand(replayInput({ ReplayName: 'cut-short' })));
    await waitFor(
      'the replay to run',
      () => replayOf(first.client, 'cut-short'),
      (r) => r.State === 'RUNNING',
    );
    const stopping = first.stop();
    release();
    await stopping;

    const second = await start({ persistDir });
    const described = await second.client.send(new DescribeArchiveCommand({ ArchiveName: archive.name }));
    await second.client.send(new StartReplayCommand(replayInput({ ReplayName: 'after-restart' })));
    await completed(second.client, 'after-restart');

    expect(described.EventCount).toBe(2);
    expect(second.delivered.map(({ event }) => event.detail.orderId).sort()).toEqual(
      ['o-1', 'o-1', 'o-1', 'o-2', 'o-2', 'o-2'].sort(),
    );
    expect(await replayOf(second.client, 'done')).toMatchObject({ State: 'COMPLETED' });
    expect(await replayOf(second.client, 'cut-short')).toMatchObject({
      State: 'FAILED',
      StateReason: expect.stringMatching(/stopped during the replay/),
    });
    await expect(
      second.client.send(new StartReplayCommand(replayInput({ ReplayName: 'done' }))),
    ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  });
});
