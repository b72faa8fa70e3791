import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Service } from '@shop/contracts/envelope';
import { type DomainEvent, EVENTS } from '@shop/contracts/events';

/** The port a domain uses to announce facts. */
export interface EventPublisher {
  publish(...events: DomainEvent[]): Promise<void>;
}

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/**
 * Publishes domain events to the application's bus with the `source` and `detail-type` their
 * contract gives (rules match on both), `detail` the whole envelope. PutEvents reports failures per
 * entry rather than by throwing, so a partial failure is turned into an error here; otherwise an
 * event could be lost silently.
 */
export function createEventPublisher(options: {
  client: EventBridgeClient;
  busName: string;
  /** The publishing service: a service announces its own facts only, as their contracts name it. */
  service: Service;
}): EventPublisher {
  return {
    async publish(...events) {
      if (events.length === 0) return;
      const foreign = events.find((event) => EVENTS[event.type].publisher !== options.service);
      if (foreign) {
        throw new EventPublishError(
          `${options.service} cannot publish ${foreign.type}: its contract names ${EVENTS[foreign.type].publisher} as its publisher`,
        );
      }
      const result = await options.client.send(
        new PutEventsCommand({
          Entries: events.map((event) => ({
            EventBusName: options.busName,
            Source: EVENTS[event.type].source,
            DetailType: EVENTS[event.type].type,
            Detail: JSON.stringify(event),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        const reasons = (result.Entries ?? [])
          .filter((entry) => entry.ErrorCode)
          .map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`);
        throw new EventPublishError(
          `PutEvents rejected ${result.FailedEntryCount} event(s): ${reasons.join('; ')}`,
        );
      }
    },
  };
}
