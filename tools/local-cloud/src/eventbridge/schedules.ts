import { randomUUID } from 'node:crypto';
import { describeError, type ServiceLog } from '../kit/service-log.ts';
import type { EventBridgeEvent } from './put-events.ts';
import { type CompiledTargets, compileTargets, type RuleTarget } from './rules.ts';
import { nextRunAfter, parseScheduleExpression, type ScheduleExpression } from './schedule-expression.ts';

/**
 * The template's scheduled rules, run as EventBridge runs them: each sends a Scheduled Event to
 * its targets, a rate schedule every period from the start, a cron schedule at its times (UTC).
 * A run the process could not make on time (the machine slept) is skipped, never made late in a
 * burst. A rule can also be run at once (`run`), which leaves its schedule as it was.
 */
export interface ScheduledRule {
  name: string;
  arn: string;
  /** `rate(...)` or `cron(...)`, as the template writes it. */
  expression: string;
  targets: RuleTarget[];
}

/** Where the schedules read the time and wait: the system's, or a test's own. */
export interface ScheduleClock {
  now(): number;
  /** Calls `fire` once, `ms` from now; returns what cancels it. */
  setTimer(ms: number, fire: () => void): () => void;
}

export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  setTimer(ms, fire) {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
};

export interface ScheduledRuleStatus {
  name: string;
  arn: string;
  expression: string;
  /** ISO time of the next run; absent before `start()` and after a cron schedule's last year. */
  nextRun?: string;
}

export interface LocalSchedules {
  list(): ScheduledRuleStatus[];
  /** Sends the rule's Scheduled Event now; undefined when no scheduled rule has that name. */
  run(name: string): EventBridgeEvent | undefined;
  /** Starts the timers: call once the targets are up. Rate schedules count their periods from here. */
  start(): void;
}

export interface SchedulesOptions {
  rules: readonly ScheduledRule[];
  region: string;
  accountId: string;
  clock: ScheduleClock;
  /** Delivers one run's event to the rule's targets, with the bus's retries. */
  send(compiled: CompiledTargets, event: EventBridgeEvent): Promise<void>;
  log: ServiceLog;
}

interface Entry {
  rule: ScheduledRule;
  schedule: ScheduleExpression;
  compiled: CompiledTargets;
  due?: number | undefined;
  cancel?: () => void;
}

/**
 * The longest single wait. A timer counts time the process runs, so after a machine's sleep it
 * fires late by the sleep: waking every minute to compare with the wall clock bounds that.
 */
const MAX_WAIT_MS = 60_000;

export class Schedules implements LocalSchedules {
  readonly #options: SchedulesOptions;
  readonly #entries: Entry[];
  #startedAt: number | undefined;
  #stopped = false;

  /** Refuses, naming the rule, an expression or a target EventBridge would not run. */
  constructor(options: SchedulesOptions) {
    this.#options = options;
    this.#entries = options.rules.map((rule) => {
      let schedule: ScheduleExpression;
      try {
        schedule = parseScheduleExpression(rule.expression);
      } catch (error) {
        throw new Error(
          `Rule ${rule.name} cannot run locally: its ScheduleExpression ${describeError(error)}`,
          { cause: error },
        );
      }
      return { rule, schedule, compiled: { rule, targets: compileTargets(rule.name, rule.targets) } };
    });
  }

  list(): ScheduledRuleStatus[] {
    return this.#entries.map(({ rule, due }) => ({
      name: rule.name,
      arn: rule.arn,
      expression: rule.expression,
      ...(due === undefined ? {} : { nextRun: isoSeconds(due) }),
    }));
  }

  run(name: string): EventBridgeEvent | undefined {
    const entry = this.#entries.find(({ rule }) => rule.name === name);
    if (!entry) return undefined;
    return this.#fire(entry, this.#options.clock.now());
  }

  start(): void {
    if (this.#startedAt !== undefined || this.#stopped) return;
    const now = this.#options.clock.now();
    this.#startedAt = now;
    for (const entry of this.#entries) this.#arm(entry, this.#nextAfter(entry, now));
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries) entry.cancel?.();
  }

  #nextAfter({ schedule }: Entry, after: number): number | undefined {
    return nextRunAfter(schedule, this.#startedAt ?? after, after);
  }

  #arm(entry: Entry, due: number | undefined): void {
    entry.due = due;
    if (due === undefined) {
      this.#options.log.info(`Rule ${entry.rule.name}: ${entry.rule.expression} has no run left`);
      return;
    }
    const wait = Math.min(Math.max(due - this.#options.clock.now(), 0), MAX_WAIT_MS);
    entry.cancel = this.#options.clock.setTimer(wait, () => this.#tick(entry));
  }

  #tick(entry: Entry): void {
    const { due } = entry;
    if (this.#stopped || due === undefined) return;
    const now = this.#options.clock.now();
    if (now < due) {
      this.#arm(entry, due);
      return;
    }
    const following = this.#nextAfter(entry, due);
    if (following !== undefined && following <= now) {
      const next = this.#nextAfter(entry, now);
      this.#options.log.warn(
        `Rule ${entry.rule.name}: the runs due from ${isoSeconds(due)} to ${isoSeconds(now)} are skipped (the process was paused, e.g. the machine slept)${next === undefined ? '' : `; next at ${isoSeconds(next)}`}`,
        { rule: entry.rule.name },
      );
      this.#arm(entry, next);
      return;
    }
    this.#fire(entry, due);
    this.#arm(entry, following);
  }

  #fire(entry: Entry, time: number): EventBridgeEvent {
    const { region, accountId } = this.#options;
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: isoSeconds(time),
      region,
      resources: [entry.rule.arn],
      detail: {},
    };
    void this.#options.send(entry.compiled, event);
    return event;
  }
}

/** An ISO time without milliseconds, as EventBridge writes an event's `time`. */
function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
