import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import {
  createEventBridgeService,
  type Delivery,
  type EventBridgeService,
  type RuleTarget,
  type ScheduleClock,
  type ScheduledRule,
} from '../../src/eventbridge/event-bridge-service.ts';

/**
 * The local EventBridge's scheduled rules, on a clock the test moves: when each runs, what its
 * targets get, and what a paused process skips.
 */
const region = 'eu-west-1';
const accountId = '111122223333';
const startedAt = Date.parse('2025-03-01T08:00:00.250Z');
const ruleArn = (name: string) => `arn:aws:events:${region}:${accountId}:rule/${name}`;
const sweeper = { id: 'Sweeper', arn: `arn:aws:lambda:${region}:${accountId}:function:sweeper` };

/**
 * A clock that stands still until the test moves it: `advance` fires the timers it passes on the
 * way, `sleep` moves on as a machine asleep does and fires them late, when it wakes.
 */
function manualClock(now: number): ScheduleClock & { advance(ms: number): void; sleep(ms: number): void } {
  const timers = new Set<{ at: number; fire: () => void }>();
  return {
    now: () => now,
    setTimer(ms, fire) {
      const timer = { at: now + ms, fire };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers.delete(due);
        now = Math.max(now, due.at);
        due.fire();
      }
      now = until;
    },
    sleep(ms) {
      now += ms;
      this.advance(0);
    },
  };
}

interface Delivered {
  target: RuleTarget;
  payload: unknown;
  delivery: Delivery;
}

let service: EventBridgeService | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function start(schedules: ScheduledRule[], options: { fail?: (delivered: Delivered) => boolean } = {}) {
  const clock = manualClock(startedAt);
  const delivered: Delivered[] = [];
  const logs: LogEntry[] = [];
  service = await createEventBridgeService({
    buses: [],
    rules: [],
    schedules,
    clock,
    region,
    accountId,
    log: (entry) => logs.push(entry),
    async deliver(target, payload, delivery) {
      const made = { target, payload, delivery };
      delivered.push(made);
      if (options.fail?.(made)) throw new Error('the target is down');
    },
    retry: { baseDelayMs: 1 },
  });
  service.schedules.start();
  return { service, clock, delivered, logs };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const minutes = (count: number) => count * 60_000;
const timeOf = (delivered: Delivered[], index: number) =>
  (delivered[index]?.payload as { time?: string })?.time;

describe('a scheduled rule', () => {
  it("sends EventBridge's Scheduled Event to its targets one period after the start, then every period", async () => {
    const { clock, delivered } = await start([
      {
        name: 'sweep-every-five',
        arn: ruleArn('sweep-every-five'),
        expression: 'rate(5 minutes)',
        targets: [sweeper],
      },
    ]);

    clock.advance(minutes(5) - 1);
    expect(delivered).toEqual([]);
    clock.advance(1);
    await waitFor(() => delivered.length === 1, 'the first run');
    clock.advance(minutes(5));
    await waitFor(() => delivered.length === 2, 'the second run');

    expect(delivered[0]?.target).toEqual(sweeper);
    expect(delivered[0]?.payload).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: '2025-03-01T08:05:00Z',
      region,
      resources: [ruleArn('sweep-every-five')],
      detail: {},
    });
    expect(delivered[0]?.delivery).toMatchObject({ rule: 'sweep-every-five', bus: 'default' });
    expect(timeOf(delivered, 1)).toBe('2025-03-01T08:10:00Z');
  });

  it('runs a cron schedule at its times in UTC', async () => {
    const { clock, delivered } = await start([
      { name: 'half-past', arn: ruleArn('half-past'), expression: 'cron(30 * * * ? *)', targets: [sweeper] },
    ]);

    clock.advance(minutes(29));
    expect(delivered).toEqual([]);
    clock.advance(minutes(1));
    await waitFor(() => delivered.length === 1, 'the run at half past');

    expect(timeOf(delivered, 0)).toBe('2025-03-01T08:30:00Z');
  });

  it('skips the runs a paused process missed, saying so once, and keeps to its schedule after', async () => {
    const { clock, delivered, logs } = await start([
      {
        name: 'sweep-every-minute',
        arn: ruleArn('sweep-every-minute'),
        expression: 'rate(1 minute)',
        targets: [sweeper],
      },
    ]);
    clock.advance(minutes(1));
    await waitFor(() => delivered.length === 1, 'the first run');

    clock.sleep(minutes(60) + 30_000);
    expect(delivered).toHaveLength(1);
    expect(logs.filter((entry) => entry.message.includes('skipped'))).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: expect.stringContaining('sweep-every-minute: the runs due from 2025-03-01T08:02:00Z'),
      }),
    ]);
    clock.advance(30_000);
    await waitFor(() => delivered.length === 2, 'the next run on schedule');
    expect(timeOf(delivered, 1)).toBe('2025-03-01T09:02:00Z');
  });

  it('retries a failing target as a matched rule does, then logs the run as dropped', async () => {
    const { clock, delivered, logs } = await start(
      [
        {
          name: 'sweep-hourly',
          arn: ruleArn('sweep-hourly'),
          expression: 'rate(1 hour)',
          targets: [sweeper],
        },
      ],
      { fail: () => true },
    );

    clock.advance(minutes(60));
    await waitFor(
      () => logs.some((entry) => entry.level === 'ERROR' && entry.message.includes('event dropped')),
      'the delivery to be given up',
    );

    expect(delivered).toHaveLength(4);
  });

  it('runs at once when asked, leaving its schedule as it was', async () => {
    const { service, clock, delivered } = await start([
      { name: 'sweep-daily', arn: ruleArn('sweep-daily'), expression: 'rate(1 day)', targets: [sweeper] },
    ]);
    clock.advance(minutes(3));

    const event = service.schedules.run('sweep-daily');
    await waitFor(() => delivered.length === 1, 'the run asked for');

    expect(event).toMatchObject({ 'detail-type': 'Scheduled Event', time: '2025-03-01T08:03:00Z' });
    expect(delivered[0]?.payload).toEqual(event);
    expect(service.schedules.run('no-such-rule')).toBeUndefined();
    expect(service.schedules.list()).toEqual([
      {
        name: 'sweep-daily',
        arn: ruleArn('sweep-daily'),
        expression: 'rate(1 day)',
        nextRun: '2025-03-02T08:00:00Z',
      },
    ]);
  });

  it('is refused at start, naming the rule, when EventBridge would refuse its expression', async () => {
    await expect(
      start([
        {
          name: 'sweep-badly',
          arn: ruleArn('sweep-badly'),
          expression: 'rate(90 seconds)',
          targets: [sweeper],
        },
      ]),
    ).rejects.toThrow(/^Rule sweep-badly cannot run locally: its ScheduleExpression "rate\(90 seconds\)"/);
  });
});
