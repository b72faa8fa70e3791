import { JsonLinesJournal } from '../kit/json-lines-journal.ts';
import type { EventBridgeEvent } from './put-events.ts';

/** An accepted event on its bus: what a journal keeps until the event is delivered. */
export interface BusEvent {
  bus: string;
  event: EventBridgeEvent;
}

/**
 * Keeps accepted events until their deliveries are done, so that a restarted local cloud delivers
 * what a killed one had accepted: on AWS, an event PutEvents accepted is delivered to its targets
 * (retried for up to 24 hours) whatever happens to the caller.
 */
export interface EventDeliveryJournal {
  /** Called before PutEvents answers: once it returns, the events survive a killed process. */
  accepted(events: BusEvent[]): void;
  /** Every delivery of the event is done: made, or given up after its retries. */
  delivered(eventId: string): void;
}

type Line =
  | { kind: 'accepted'; bus: string; event: EventBridgeEvent }
  | { kind: 'delivered'; eventId: string };

/**
 * Keeps the local EventBridge's accepted events across a restart of the local cloud (`--persist`):
 * every accepted event is appended to a JSON-lines file before PutEvents answers, and its delivery
 * once every target has it. On the next start, the events accepted but not delivered are delivered
 * again. Without it, a process killed between the answer and the delivery lost the event: an
 * outcome a workflow had published, which its consumers then waited for in vain.
 */
export class EventDeliveryFile implements EventDeliveryJournal {
  private readonly file: JsonLinesJournal<Line>;

  /** Reads what the last run left undelivered, and starts a file holding only that. */
  static open(dir: string): { journal: EventDeliveryFile; undelivered: BusEvent[] } {
    const file = new JsonLinesJournal<Line>(dir, 'events.jsonl');
    const pending = new Map<string, BusEvent>();
    for (const line of file.read()) {
      if (line.kind === 'accepted') pending.set(line.event.id, { bus: line.bus, event: line.event });
      else pending.delete(line.eventId);
    }
    const undelivered = [...pending.values()];
    file.rewrite(undelivered.map(accepted));
    return { journal: new EventDeliveryFile(file), undelivered };
  }

  private constructor(file: JsonLinesJournal<Line>) {
    this.file = file;
  }

  accepted(events: BusEvent[]): void {
    this.file.append(events.map(accepted));
  }

  delivered(eventId: string): void {
    this.file.append([{ kind: 'delivered', eventId }]);
  }
}

function accepted({ bus, event }: BusEvent): Line {
  return { kind: 'accepted', bus, event };
}
