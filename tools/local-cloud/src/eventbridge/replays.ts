import { AwsApiError } from '../kit/json-protocol-server.ts';
import { describeError, type ServiceLog } from '../kit/service-log.ts';
import type { ArchiveJournal } from './archive-journal.ts';
import type { ArchivedEvent, ArchiveView, EventArchives } from './event-archive.ts';
import type { EventBridgeEvent } from './put-events.ts';
import type { EventBus, EventRule, RulesByBus } from './rules.ts';

/**
 * StartReplay and what follows it: the archived events of a time window are sent again to the
 * archive's bus (to every rule, or only the rules of FilterArns) with `replay-name` set, minute of
 * event time by minute as on AWS, and the replay goes STARTING → RUNNING → COMPLETED. A replay's
 * name stays taken; a replay cut short by a stop or a restart ends FAILED, with the reason.
 */
export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** A replay as kept and described; times in epoch milliseconds. */
export interface ReplayRecord {
  name: string;
  arn: string;
  description?: string;
  eventSourceArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: number;
  eventEndTime: number;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: number;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
}

export interface StartReplayRequest {
  name: string;
  description?: string;
  eventSourceArn: string;
  eventStartTime: number;
  eventEndTime: number;
  destination: { Arn: string; FilterArns?: string[] };
}

export interface ReplaysOptions {
  archives: EventArchives;
  buses: readonly EventBus[];
  rulesByBus: RulesByBus;
  region: string;
  accountId: string;
  /** Routes one replayed event to its bus's rules that `ruleFilter` accepts; settles once delivered. */
  replayEvent(
    bus: EventBus,
    event: EventBridgeEvent,
    ruleFilter: (rule: EventRule) => boolean,
  ): Promise<void>;
  journal?: ArchiveJournal | undefined;
  /** Replays a previous run kept (`--persist`). */
  kept?: readonly ReplayRecord[];
  log: ServiceLog;
  now?: () => number;
}

const ACTIVE: readonly ReplayState[] = ['STARTING', 'RUNNING', 'CANCELLING'];
// "You can have a maximum of 10 active concurrent replays per account per AWS Region."
const MAX_ACTIVE_REPLAYS = 10;
const MINUTE_MS = 60_000;
export const STOPPED_DURING_REPLAY = 'The local cloud stopped during the replay';

const invalid = (parameter: string, reason: string) =>
  new AwsApiError('ValidationException', `Parameter ${parameter} is not valid. Reason: ${reason}`);

export class Replays {
  readonly #options: ReplaysOptions;
  readonly #records = new Map<string, ReplayRecord>();
  readonly #running = new Set<Promise<void>>();
  readonly #now: () => number;
  #stopping = false;

  constructor(options: ReplaysOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    for (const kept of options.kept ?? []) {
      const record = { ...kept };
      if (ACTIVE.includes(record.state)) {
        Object.assign(record, {
          state: 'FAILED',
          stateReason: STOPPED_DURING_REPLAY,
          replayEndTime: this.#now(),
        });
      }
      this.#records.set(record.name, record);
    }
  }

  all(): ReplayRecord[] {
    return [...this.#records.values()];
  }

  describe(name: string): ReplayRecord {
    const record = this.#records.get(name);
    if (!record) throw new AwsApiError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return record;
  }

  start(request: StartReplayRequest): ReplayRecord {
    if (this.#records.has(request.name)) {
      throw new AwsApiError('ResourceAlreadyExistsException', `Replay ${request.name} already exists.`);
    }
    if (request.eventEndTime <= request.eventStartTime) {
      throw invalid('EventEndTime', 'EventStartTime must be before EventEndTime.');
    }
    const archive = this.#options.archives.byArn(request.eventSourceArn);
    if (!archive) {
      const name = request.eventSourceArn.split('/').pop();
      throw invalid('EventSourceArn', `Archive ${name} does not exist.`);
    }
    const bus = this.#destinationBus(request.destination.Arn, archive);
    if (request.eventStartTime > this.#now()) {
      throw invalid('EventStartTime', 'EventStartTime must be in the past.');
    }
    const ruleFilter = this.#ruleFilter(bus, request.destination.FilterArns);
    if (this.all().filter((record) => ACTIVE.includes(record.state)).length >= MAX_ACTIVE_REPLAYS) {
      throw new AwsApiError('LimitExceededException', `At most ${MAX_ACTIVE_REPLAYS} replays can be active.`);
    }
    const { region, accountId } = this.#options;
    const record: ReplayRecord = {
      name: request.name,
      arn: `arn:aws:events:${region}:${accountId}:replay/${request.name}`,
      ...(request.description !== undefined ? { description: request.description } : {}),
      eventSourceArn: archive.arn,
      destination: request.destination,
      eventStartTime: request.eventStartTime,
      eventEndTime: request.eventEndTime,
      state: 'STARTING',
      replayStartTime: this.#now(),
    };
    this.#records.set(record.name, record);
    this.#save(record);
    // Event times are to the second: a window starting mid-second still takes that second's events.
    const events = archive.eventsBetween(
      Math.floor(record.eventStartTime / 1000) * 1000,
      record.eventEndTime,
    );
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.#run(record, bus, events, ruleFilter),
    );
    this.#running.add(run);
    void run.finally(() => this.#running.delete(run));
    return { ...record };
  }

  cancel(name: string): ReplayRecord {
    const record = this.describe(name);
    if (record.state !== 'STARTING' && record.state !== 'RUNNING') {
      throw new AwsApiError(
        'IllegalStatusException',
        `Replay ${name} is not in a valid state for this operation.`,
      );
    }
    this.#change(record, { state: 'CANCELLING' });
    return { ...record };
  }

  /** Cuts the running replays short (they end FAILED) and settles once they have. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([...this.#running]);
  }

  async #run(
    record: ReplayRecord,
    bus: EventBus,
    events: ArchivedEvent[],
    ruleFilter: (rule: EventRule) => boolean,
  ): Promise<void> {
    const { log } = this.#options;
    if (record.state === 'STARTING') this.#change(record, { state: 'RUNNING' });
    log.info(`Replay ${record.name}: ${events.length} archived event(s) to ${bus.name}`);
    try {
      for (const minute of byMinuteOfEventTime(events)) {
        if (record.state === 'CANCELLING' || this.#stopping) break;
        await Promise.all(
          minute.map(({ event }) =>
            this.#options.replayEvent(bus, { ...event, 'replay-name': record.name }, ruleFilter),
          ),
        );
        const last = minute.at(-1);
        if (last) record.eventLastReplayedTime = Date.parse(last.event.time);
      }
    } catch (error) {
      log.error(`Replay ${record.name} failed: ${describeError(error)}`);
      this.#change(record, {
        state: 'FAILED',
        stateReason: describeError(error),
        replayEndTime: this.#now(),
      });
      return;
    }
    if (this.#stopping && record.state !== 'CANCELLING') {
      this.#change(record, {
        state: 'FAILED',
        stateReason: STOPPED_DURING_REPLAY,
        replayEndTime: this.#now(),
      });
    } else {
      const state = record.state === 'CANCELLING' ? 'CANCELLED' : 'COMPLETED';
      this.#change(record, { state, replayEndTime: this.#now() });
      log.info(`Replay ${record.name} ${state.toLowerCase()}`);
    }
  }

  /** The destination must be the archive's own bus: AWS replays to no other. */
  #destinationBus(arn: string, archive: ArchiveView): EventBus {
    const busName = /^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(arn)?.[1];
    if (!busName) throw invalid('Destination.Arn', 'Must contain an event bus ARN.');
    const bus = this.#options.buses.find((candidate) => candidate.arn === arn);
    if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    if (bus.name !== archive.bus.name) {
      throw invalid('Destination.Arn', 'Cross event bus replay is not permitted.');
    }
    return bus;
  }

  /** FilterArns: rules of the destination bus, by ARN; absent or empty, every rule of the bus. */
  #ruleFilter(bus: EventBus, filterArns: readonly string[] | undefined): (rule: EventRule) => boolean {
    if (!filterArns || filterArns.length === 0) return () => true;
    const { region, accountId } = this.#options;
    const arnOf = (rule: EventRule) => ruleArn(rule, { region, accountId });
    const rules = (this.#options.rulesByBus.get(bus.name) ?? []).map(({ rule }) => rule);
    for (const arn of filterArns) {
      if (!rules.some((rule) => arnOf(rule) === arn)) {
        const name = arn.split('/').pop();
        throw new AwsApiError(
          'ResourceNotFoundException',
          `Rule ${name} does not exist on EventBus ${bus.name}.`,
        );
      }
    }
    return (rule) => filterArns.includes(arnOf(rule));
  }

  #change(record: ReplayRecord, changes: Partial<ReplayRecord>): void {
    Object.assign(record, changes);
    this.#save(record);
  }

  #save(record: ReplayRecord): void {
    try {
      this.#options.journal?.replay(record);
    } catch (error) {
      this.#options.log.error(`Could not journal replay ${record.name}: ${describeError(error)}`);
    }
  }
}

/** A rule's ARN as AWS writes it: `rule/<name>` on the default bus, `rule/<bus>/<name>` on another. */
export function ruleArn(rule: EventRule, where: { region: string; accountId: string }): string {
  const path = rule.busName === 'default' ? rule.name : `${rule.busName}/${rule.name}`;
  return `arn:aws:events:${where.region}:${where.accountId}:rule/${path}`;
}

/** The events in batches of one minute of event time, oldest first, as a replay sends them. */
function byMinuteOfEventTime(events: readonly ArchivedEvent[]): ArchivedEvent[][] {
  const batches = new Map<number, ArchivedEvent[]>();
  for (const archived of events) {
    const minute = Math.floor(Date.parse(archived.event.time) / MINUTE_MS);
    batches.set(minute, [...(batches.get(minute) ?? []), archived]);
  }
  return [...batches.entries()].sort(([one], [other]) => one - other).map(([, batch]) => batch);
}
