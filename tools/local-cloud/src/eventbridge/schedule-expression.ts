import { Cron } from 'croner';

/**
 * A rule's `ScheduleExpression` as EventBridge reads it, in UTC: `rate(N minute|minutes|hour|hours|
 * day|days)`, or `cron(minutes hours day-of-month month day-of-week year)` with `?`, `L`, `W` and
 * `#`, day-of-week 1 (SUN) to 7 (SAT). An expression EventBridge would refuse is refused here.
 */
export type ScheduleExpression =
  | { kind: 'rate'; text: string; periodMs: number }
  | { kind: 'cron'; text: string; next(after: Date): Date | undefined };

const RATE = /^rate\((\d+) (minutes?|hours?|days?)\)$/;
const CRON = /^cron\((.*)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** The largest value of each field EventBridge's cron takes: `a/b` steps through to it. */
const FIELD_MAX = [59, 23, 31, 12, 7, 2199];

export function parseScheduleExpression(text: string): ScheduleExpression {
  const rate = RATE.exec(text);
  if (rate) return parseRate(text, Number(rate[1]), String(rate[2]));
  const cron = CRON.exec(text);
  if (cron) return parseCron(text, String(cron[1]));
  throw new Error(
    `"${text}" is neither rate(value unit) nor cron(minutes hours day-of-month month day-of-week year)`,
  );
}

/** The first run strictly after `after` (epoch ms); rate schedules count their periods from `start`. */
export function nextRunAfter(schedule: ScheduleExpression, start: number, after: number): number | undefined {
  if (schedule.kind === 'cron') return schedule.next(new Date(after))?.getTime();
  const periods = after < start ? 0 : Math.floor((after - start) / schedule.periodMs);
  return start + (periods + 1) * schedule.periodMs;
}

function parseRate(text: string, value: number, unit: string): ScheduleExpression {
  const singular = unit.replace(/s$/, '');
  if (value < 1) throw new Error(`"${text}": a rate's value is a positive whole number`);
  // EventBridge's own rule: rate(1 hours) and rate(2 hour) are both refused.
  if ((value === 1) !== (unit === singular)) {
    throw new Error(
      `"${text}": the unit is singular for 1 and plural above (rate(1 ${singular}), rate(${Math.max(value, 2)} ${singular}s))`,
    );
  }
  return { kind: 'rate', text, periodMs: value * (UNIT_MS[singular] ?? 0) };
}

function parseCron(text: string, body: string): ScheduleExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `"${text}" has ${fields.length} field(s); EventBridge's cron has six: minutes hours day-of-month month day-of-week year`,
    );
  }
  const [dayOfMonth, dayOfWeek] = [fields[2], fields[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new Error(`"${text}": one of day-of-month and day-of-week is ?, and only one`);
  }
  if (fields.some((field) => field.includes('+')))
    throw new Error(`"${text}": + is not in EventBridge's cron`);
  // croner takes steps from a range or *, EventBridge also from a single value (0/15).
  const stepped = fields.map((field, index) =>
    field.replace(
      /(^|,)(\d+)\/(\d+)/g,
      (_, lead, from, step) => `${lead}${from}-${FIELD_MAX[index]}/${step}`,
    ),
  );
  // A lone L in day-of-week is the week's last day, Saturday.
  if (stepped[4] === 'L') stepped[4] = '7';
  let cron: Cron;
  try {
    cron = new Cron(`0 ${stepped.join(' ')}`, {
      timezone: 'UTC',
      mode: '7-part',
      alternativeWeekdays: true,
      paused: true,
    });
  } catch (error) {
    throw new Error(`"${text}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { kind: 'cron', text, next: (after) => cron.nextRun(after) ?? undefined };
}
