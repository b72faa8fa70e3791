import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, eventSource } from './events.ts';

/** The port a domain uses to announce facts. */
export interface EventPublisher {
  publish(...events: DomainEvent[]): Promise<void>;
}

export class EventPublishError extends Error {
  override readonly name = 'EventPublishError';
}

/**
 * Publishes domain events to the application's bus: `detail-type` is the event type (rules match
 * on it), `detail` the whole envelope. PutEvents reports failures per entry rather than by throwing,
 * so a partial failure is turned into an error here; otherwise an event could be lost silently.
 */
export function createEventPublisher(options: {
  client: EventBridgeClient;
  busName: string;
  service: string;
}): EventPublisher {
  const source = eventSource(options.service);
  return {
    async publish(...events) {
      if (events.length === 0) return;
      const result = await options.client.send(
        new PutEventsCommand({
          Entries: events.map((event) => ({
            EventBusName: options.busName,
            Source: source,
            DetailType: event.type,
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
