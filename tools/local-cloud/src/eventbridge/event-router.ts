import { setTimeout as sleep } from 'node:timers/promises';
import type { Listeners } from '../kit/listeners.ts';
import { describeError, type ServiceLog } from '../kit/service-log.ts';
import type { EventDeliveryJournal } from './event-delivery-journal.ts';
import type { EventBridgeEvent } from './put-events.ts';
import type { CompiledTargets, EventBus, EventRule, RulesByBus, RuleTarget } from './rules.ts';

/**
 * What happens to an accepted event after PutEvents has answered: it is matched against its bus's
 * rules, reported to the listeners, and sent to every target of every matching rule. A failing
 * target is retried with a doubling backoff, then the event is logged as dropped for it; once every
 * delivery is done, the journal (under `--persist`) lets the event go.
 */

/** What a target receives besides its payload: enough to build an SQS message or a Kinesis record. */
export interface Delivery {
  rule: string;
  bus: string;
  event: EventBridgeEvent;
}

export interface AcceptedEvent {
  bus: string;
  event: EventBridgeEvent;
  matchedRules: string[];
}

export interface EventRouterOptions {
  rulesByBus: RulesByBus;
  /** Sends one payload to one target; a rejection counts as a failed delivery and is retried. */
  deliver(target: RuleTarget, payload: unknown, delivery: Delivery): Promise<void>;
  /** Retries after the first failed delivery, and the first backoff (doubling at each retry). */
  retry: { retries: number; baseDelayMs: number };
  listeners: Listeners<AcceptedEvent>;
  journal?: EventDeliveryJournal | undefined;
  log: ServiceLog;
}

/** `abandoned`: cut short by stop(), so not done: the journal keeps the event for the next start. */
type DeliveryOutcome = 'done' | 'abandoned';

/** How a replay routes an archived event: to some rules only, and outside the delivery journal. */
export interface RouteOptions {
  /** Only the matching rules this accepts get the event (a replay's FilterArns). */
  ruleFilter?: (rule: EventRule) => boolean;
  /** Default true. A replayed event keeps its id, which the journal must not mark delivered. */
  journaled?: boolean;
}

export class EventRouter {
  readonly #options: EventRouterOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();

  constructor(options: EventRouterOptions) {
    this.#options = options;
  }

  get stopped(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Settles once every delivery of the event is done: made, given up, or cut short by stop(). */
  route(bus: EventBus, event: EventBridgeEvent, options: RouteOptions = {}): Promise<void> {
    // An event accepted while the cloud was stopping is not delivered rather than outliving stop().
    if (this.stopped) return Promise.resolve();
    const log = this.#logFor(event);
    const { ruleFilter = () => true, journaled = true } = options;
    const matched = (this.#options.rulesByBus.get(bus.name) ?? []).filter(
      (compiled) => ruleFilter(compiled.rule) && compiled.matches(event),
    );
    const matchedRules = matched.map(({ rule }) => rule.name);
    const replay = event['replay-name'] ? `replay ${event['replay-name']}: ` : '';
    log.info(
      `${replay}${event['detail-type']} from ${event.source} on ${bus.name}: ${matchedRules.length ? `matched ${matchedRules.join(', ')}` : 'matched no rule'}`,
      { eventId: event.id, bus: bus.name, matchedRules },
    );
    this.#options.listeners.emit({ bus: bus.name, event, matchedRules });
    const deliveries = matched.flatMap((compiled) => this.#deliverToTargets(compiled, bus, event));
    if (journaled) this.#markDelivered(event, deliveries);
    return Promise.all(deliveries).then(() => undefined);
  }

  /**
   * Sends an event to one rule's targets, unmatched, as a schedule does; outside the journal, since
   * a restart starts the schedules afresh rather than catching up.
   */
  deliverToRule(compiled: CompiledTargets, bus: EventBus, event: EventBridgeEvent): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const matchedRules = [compiled.rule.name];
    this.#logFor(event).info(`${event['detail-type']} from ${event.source} for rule ${compiled.rule.name}`, {
      eventId: event.id,
      bus: bus.name,
      matchedRules,
    });
    this.#options.listeners.emit({ bus: bus.name, event, matchedRules });
    return Promise.all(this.#deliverToTargets(compiled, bus, event)).then(() => undefined);
  }

  /** Cuts short the backoffs, and settles once the deliveries in flight have. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  #deliverToTargets(
    { rule, targets }: CompiledTargets,
    bus: EventBus,
    event: EventBridgeEvent,
  ): Promise<DeliveryOutcome>[] {
    return targets.flatMap((compiled) => {
      const payload = compiled.payload(event);
      if (!payload.found) {
        this.#logFor(event).warn(
          `Rule ${rule.name}: InputPath ${compiled.target.inputPath} selects nothing; not delivered`,
          { eventId: event.id, target: compiled.target.id },
        );
        return [];
      }
      const delivery = this.#deliverWithRetries(compiled.target, payload.value, {
        rule: rule.name,
        bus: bus.name,
        event,
      });
      this.#inFlight.add(delivery);
      void delivery.finally(() => this.#inFlight.delete(delivery));
      return [delivery];
    });
  }

  async #deliverWithRetries(
    target: RuleTarget,
    payload: unknown,
    delivery: Delivery,
  ): Promise<DeliveryOutcome> {
    const { event, rule } = delivery;
    const { retries, baseDelayMs } = this.#options.retry;
    const log = this.#logFor(event);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#options.deliver(target, payload, delivery);
        return 'done';
      } catch (error) {
        const fields = { eventId: event.id, rule, target: target.id, targetArn: target.arn, attempt };
        if (attempt > retries || this.stopped) {
          log.error(
            `Rule ${rule}: delivery to ${target.id} failed ${attempt} time(s), event dropped: ${describeError(error)}`,
            fields,
          );
          return this.stopped ? 'abandoned' : 'done';
        }
        log.warn(`Rule ${rule}: delivery to ${target.id} failed, retrying: ${describeError(error)}`, fields);
        try {
          await sleep(baseDelayMs * 2 ** (attempt - 1), undefined, { signal: this.#stopping.signal });
        } catch {
          log.error(`Rule ${rule}: local cloud stopping, event for ${target.id} dropped`, fields);
          return 'abandoned';
        }
      }
    }
  }

  #markDelivered(event: EventBridgeEvent, deliveries: Promise<DeliveryOutcome>[]): void {
    const { journal } = this.#options;
    if (!journal) return;
    void Promise.all(deliveries).then((outcomes) => {
      if (outcomes.includes('abandoned')) return;
      try {
        journal.delivered(event.id);
      } catch (error) {
        this.#options.log.error(`Could not journal the delivery of ${event.id}: ${describeError(error)}`);
      }
    });
  }

  /** An application's events may carry their correlation id in their detail: so do their log lines. */
  #logFor(event: EventBridgeEvent): ServiceLog {
    const { correlationId } = event.detail;
    return this.#options.log.with({
      correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    });
  }
}
