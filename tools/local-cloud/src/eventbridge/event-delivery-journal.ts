import { JsonLinesJournal } from '../json-lines-journal.ts';
import type { BusEvent, EventDeliveryJournal } from './event-bridge-service.ts';

type Line =
  | { kind: 'accepted'; bus: string; event: BusEvent['event'] }
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
