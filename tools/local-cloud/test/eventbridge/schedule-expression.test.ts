import { describe, expect, it } from 'vitest';
import { nextRunAfter, parseScheduleExpression } from '../../src/eventbridge/schedule-expression.ts';

/** EventBridge's schedule expressions: what runs when (UTC), and what EventBridge would refuse. */
const start = Date.parse('2025-03-01T00:00:00Z'); // a Saturday

/** The first `count` runs after `from`, as ISO times. */
function runs(expression: string, count = 3, from = start): string[] {
  const schedule = parseScheduleExpression(expression);
  const times: string[] = [];
  let after = from;
  for (let index = 0; index < count; index += 1) {
    const next = nextRunAfter(schedule, from, after);
    if (next === undefined) break;
    times.push(new Date(next).toISOString());
    after = next;
  }
  return times;
}

describe('a rate expression', () => {
  it('runs every period, the first one period after the schedule starts', () => {
    expect(runs('rate(5 minutes)')).toEqual([
      '2025-03-01T00:05:00.000Z',
      '2025-03-01T00:10:00.000Z',
      '2025-03-01T00:15:00.000Z',
    ]);
    expect(runs('rate(1 hour)', 1)).toEqual(['2025-03-01T01:00:00.000Z']);
    expect(runs('rate(2 days)', 1)).toEqual(['2025-03-03T00:00:00.000Z']);
  });

  it('keeps its periods counted from the start when asked after a gap', () => {
    const schedule = parseScheduleExpression('rate(10 minutes)');
    const afterAGap = start + 37 * 60_000;

    expect(new Date(nextRunAfter(schedule, start, afterAGap) ?? 0).toISOString()).toBe(
      '2025-03-01T00:40:00.000Z',
    );
  });

  it.each([
    ['rate(1 minutes)', 'singular for 1'],
    ['rate(5 minute)', 'singular for 1'],
    ['rate(0 minutes)', 'positive whole number'],
    ['rate(30 seconds)', 'neither rate'],
    ['rate(1.5 hours)', 'neither rate'],
  ])('refuses %s, as EventBridge does', (expression, reason) => {
    expect(() => parseScheduleExpression(expression)).toThrow(reason);
  });
});

describe('a cron expression', () => {
  it.each([
    ['cron(0 10 * * ? *)', ['2025-03-01T10:00:00.000Z', '2025-03-02T10:00:00.000Z']],
    ['cron(0/15 * * * ? *)', ['2025-03-01T00:15:00.000Z', '2025-03-01T00:30:00.000Z']],
    ['cron(0 18 ? * MON-FRI *)', ['2025-03-03T18:00:00.000Z', '2025-03-04T18:00:00.000Z']],
    // Day-of-week counts from 1, Sunday.
    ['cron(0 9 ? * 1 *)', ['2025-03-02T09:00:00.000Z', '2025-03-09T09:00:00.000Z']],
    ['cron(0 9 ? * 2#1 *)', ['2025-03-03T09:00:00.000Z', '2025-04-07T09:00:00.000Z']],
    ['cron(0 9 ? * 6L *)', ['2025-03-28T09:00:00.000Z', '2025-04-25T09:00:00.000Z']],
    ['cron(0 9 L * ? *)', ['2025-03-31T09:00:00.000Z', '2025-04-30T09:00:00.000Z']],
    // The 15th of March 2025 is a Saturday: the nearest weekday is Friday the 14th.
    ['cron(0 9 15W * ? *)', ['2025-03-14T09:00:00.000Z', '2025-04-15T09:00:00.000Z']],
  ])('%s runs at its times in UTC', (expression, expected) => {
    expect(runs(expression, 2)).toEqual(expected);
  });

  it('stops after the last year it names', () => {
    expect(runs('cron(30 6 1 1 ? 2026-2027)', 5)).toEqual([
      '2026-01-01T06:30:00.000Z',
      '2027-01-01T06:30:00.000Z',
    ]);
  });

  it.each([
    ['cron(0 10 * * *)', 'six'],
    ['cron(0 10 * * * *)', 'only one'],
    ['cron(0 10 ? * ? *)', 'only one'],
    ['cron(61 10 * * ? *)', 'minute'],
    ['cron(0 9 ? * MON+FRI *)', '+'],
    ['at(2025-03-01T10:00:00)', 'neither rate'],
  ])('refuses %s, as EventBridge does', (expression, reason) => {
    expect(() => parseScheduleExpression(expression)).toThrow(reason);
  });
});
