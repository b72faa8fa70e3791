import type { LocalService, LogSink } from '../contracts.ts';
import { type ApiAction, AwsApiError, startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { Listeners } from '../kit/listeners.ts';
import { describeError, serviceLog } from '../kit/service-log.ts';
import { archiveActions } from './archive-actions.ts';
import { ArchiveFile } from './archive-journal.ts';
import { type ArchiveDefinition, EventArchives } from './event-archive.ts';
import type { BusEvent, EventDeliveryJournal } from './event-delivery-journal.ts';
import { type AcceptedEvent, type Delivery, EventRouter } from './event-router.ts';
import { acceptEntries, type PutEventsEntry, type PutEventsResult } from './put-events.ts';
import { Replays } from './replays.ts';
import { resourceChangeActions } from './resource-changes.ts';
import { compileRules, type EventBus, type EventRule, type RuleTarget } from './rules.ts';
import {
  type LocalSchedules,
  type ScheduleClock,
  type ScheduledRule,
  Schedules,
  systemClock,
} from './schedules.ts';

export type { ArchiveDefinition } from './event-archive.ts';
export type { BusEvent, EventDeliveryJournal } from './event-delivery-journal.ts';
export type { AcceptedEvent, Delivery } from './event-router.ts';
export type {
  EventBridgeEvent,
  PutEventsEntry,
  PutEventsResult,
  PutEventsResultEntry,
} from './put-events.ts';
export type { EventBus, EventRule, RuleTarget } from './rules.ts';
export type { LocalSchedules, ScheduleClock, ScheduledRule, ScheduledRuleStatus } from './schedules.ts';

/**
 * The local EventBridge: a PutEvents endpoint (AWS JSON 1.1, what `EventBridgeClient` speaks) and the
 * rules and archives of the synthesized template. Accepted events are matched and delivered after the
 * response, as on AWS, where PutEvents only means "accepted"; a failing target is retried a few times,
 * then logged. Archived events can be replayed (StartReplay and its companions). Scheduled rules send
 * their Scheduled Events to their targets the same way, once `schedules.start()`. A test run can also
 * let its tests create their own buses, rules and targets (`acceptsResourceChanges`).
 */
export interface EventBridgeServiceOptions {
  buses: EventBus[];
  rules: EventRule[];
  /** Rules with a ScheduleExpression, all on the default bus (EventBridge has schedules nowhere else). */
  schedules?: ScheduledRule[];
  /** Where the schedules read the time and wait. Default: the system's clock and timers. */
  clock?: ScheduleClock;
  /** Sends one payload to one target; a rejection counts as a failed delivery and is retried. */
  deliver(target: RuleTarget, payload: unknown, delivery: Delivery): Promise<void>;
  log: LogSink;
  region: string;
  accountId: string;
  host?: string;
  port?: number;
  /** Retries after the first failed delivery (default 3) and the first backoff (default 100 ms, doubling). */
  retry?: { retries?: number; baseDelayMs?: number };
  /**
   * Also serve CreateEventBus, PutRule and PutTargets, so that each test file sets up its own bus and
   * rule with the real client. The local cloud leaves this off: its buses and rules are the template's.
   */
  acceptsResourceChanges?: boolean;
  /** Makes accepted events durable until delivered (the local cloud's `--persist`). */
  journal?: EventDeliveryJournal;
  /** The template's archives: what PutEvents keeps for StartReplay. */
  archives?: ArchiveDefinition[];
  /** Where archived events and replays are kept across restarts (`--persist`). */
  persistDir?: string;
}

export interface EventBridgeService extends LocalService {
  /** PutEvents in process, with the same validation, response and asynchronous delivery as the endpoint. */
  putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult>;
  /** Called with every accepted event (for the live page); returns the unsubscribe function. */
  onEvent(listener: (accepted: AcceptedEvent) => void): () => void;
  /**
   * Delivers again events a journal kept from a run that ended before delivering them (call it once
   * their targets are up). Targets that had them already get them twice: delivery is at least once.
   */
  redeliver(events: BusEvent[]): void;
  /** The scheduled rules: their next runs, a run now, and the start of their timers. */
  schedules: LocalSchedules;
}

const DEFAULT_BUS_NAME = 'default';

export async function createEventBridgeService(
  options: EventBridgeServiceOptions,
): Promise<EventBridgeService> {
  const { region, accountId, journal } = options;
  const log = serviceLog(options.log, 'eventbridge');
  // A copy: CreateEventBus adds to it, and the caller's list stays as it was given.
  const buses = withDefaultBus(options.buses, { region, accountId });
  const rulesByBus = compileRules(options.rules, buses);
  const listeners = new Listeners<AcceptedEvent>((error, { event }) =>
    log.error(`An onEvent listener failed: ${describeError(error)}`, { eventId: event.id }),
  );
  const router = new EventRouter({
    rulesByBus,
    deliver: options.deliver,
    retry: { retries: options.retry?.retries ?? 3, baseDelayMs: options.retry?.baseDelayMs ?? 100 },
    listeners,
    journal,
    log,
  });
  const defaultBus = buses.find((bus) => bus.name === DEFAULT_BUS_NAME) as EventBus;
  const schedules = new Schedules({
    rules: options.schedules ?? [],
    region,
    accountId,
    clock: options.clock ?? systemClock,
    send: (compiled, event) => router.deliverToRule(compiled, defaultBus, event),
    log,
  });
  // What a previous run archived and replayed (`--persist`); the file then holds what is kept.
  const persisted = options.persistDir ? ArchiveFile.open(options.persistDir) : undefined;
  const archives = new EventArchives(options.archives ?? [], buses, { kept: persisted?.kept });
  const replays = new Replays({
    archives,
    buses,
    rulesByBus,
    region,
    accountId,
    replayEvent: (bus, event, ruleFilter) => router.route(bus, event, { ruleFilter, journaled: false }),
    journal: persisted?.journal,
    kept: persisted?.replays ?? [],
    log,
  });
  persisted?.journal.rewrite(archives.kept(), replays.all());

  const putEvents = async (entries: PutEventsEntry[]): Promise<PutEventsResult> => {
    if (router.stopped) throw new Error('The local EventBridge is stopped');
    const { result, accepted } = acceptEntries(entries, buses, { region, accountId });
    if (accepted.length > 0) journal?.accepted(accepted.map(({ bus, event }) => ({ bus: bus.name, event })));
    const archived = accepted.flatMap(({ bus, event }) => archives.record(bus, event));
    if (archived.length > 0) persisted?.journal.archived(archived);
    // EventBridge answers before it delivers: the caller gets its EventIds first.
    setImmediate(() => {
      for (const { bus, event } of accepted) void router.route(bus, event);
    });
    return result;
  };

  const actions: Record<string, ApiAction> = {
    PutEvents: (input) => putEvents(input.Entries as PutEventsEntry[]),
    ...archiveActions(archives, replays, buses),
    ...(options.acceptsResourceChanges
      ? resourceChangeActions({ buses, rulesByBus, region, accountId, log })
      : {}),
  };
  const server = await startJsonProtocolServer({
    targetPrefix: 'AWSEvents',
    serviceName: 'EventBridge',
    protocolVersion: '1.1',
    actions,
    refuseAction(action) {
      log.warn(
        `The local EventBridge serves ${Object.keys(actions).join(', ')}; refused AWSEvents.${action}`,
      );
      return new AwsApiError(
        'UnknownOperationException',
        `Operation AWSEvents.${action} is not supported locally`,
      );
    },
    log,
    port: options.port,
    host: options.host,
  });

  return {
    endpoint: server.endpoint,
    putEvents,
    onEvent: (listener) => listeners.add(listener),
    redeliver(events) {
      for (const { bus: name, event } of events) {
        const bus = buses.find((candidate) => candidate.name === name);
        if (bus) void router.route(bus, event);
        else {
          log.warn(`Event ${event.id} on bus ${name}, which no longer exists, is not delivered`);
          journal?.delivered(event.id);
        }
      }
    },
    schedules,
    async stop() {
      schedules.stop();
      const replaying = replays.stop();
      const routing = router.stop();
      await server.close();
      await routing;
      await replaying;
    },
  };
}

/**
 * The given buses and the account's `default` bus, which exists in every account and region: a
 * template names only the buses it creates, yet PutEvents without `EventBusName` goes to `default`.
 */
function withDefaultBus(
  buses: readonly EventBus[],
  where: { region: string; accountId: string },
): EventBus[] {
  if (buses.some((bus) => bus.name === DEFAULT_BUS_NAME)) return [...buses];
  const arn = `arn:aws:events:${where.region}:${where.accountId}:event-bus/${DEFAULT_BUS_NAME}`;
  return [{ name: DEFAULT_BUS_NAME, arn }, ...buses];
}
