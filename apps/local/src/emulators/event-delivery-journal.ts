import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BusEvent, EventDeliveryJournal } from '@shop/local-services/eventbridge/event-bridge-service';

type Line =
  | { kind: 'accepted'; bus: string; event: BusEvent['event'] }
  | { kind: 'delivered'; eventId: string };

/**
 * Keeps the local EventBridge's accepted events across a restart of the local cloud (`--persist`):
 * every accepted event is appended to a JSON-lines file before PutEvents answers, and its delivery
 * once every target has it. On the next start, the events accepted but not delivered are delivered
 * again. Without it, a process killed between the answer and the delivery lost the event: a
 * `PaymentFailed` the workflow had published, and its order stayed PENDING_PAYMENT for good.
 */
export class EventDeliveryFile implements EventDeliveryJournal {
  private readonly file: string;

  /** Reads what the last run left undelivered, and starts a file holding only that. */
  static open(dir: string): { journal: EventDeliveryFile; undelivered: BusEvent[] } {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'events.jsonl');
    const pending = new Map<string, BusEvent>();
    if (existsSync(file)) {
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        if (!text) continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          // The last line of a killed process may be cut short: what it began is not acknowledged.
          continue;
        }
        if (line.kind === 'accepted') pending.set(line.event.id, { bus: line.bus, event: line.event });
        else pending.delete(line.eventId);
      }
    }
    const undelivered = [...pending.values()];
    // The shorter file replaces the old one in one rename: a kill at any point leaves one of the two whole.
    const next = `${file}.next`;
    writeFileSync(next, undelivered.map((busEvent) => `${JSON.stringify(accepted(busEvent))}\n`).join(''));
    renameSync(next, file);
    return { journal: new EventDeliveryFile(file), undelivered };
  }

  private constructor(file: string) {
    this.file = file;
  }

  accepted(events: BusEvent[]): void {
    appendFileSync(this.file, events.map((busEvent) => `${JSON.stringify(accepted(busEvent))}\n`).join(''));
  }

  delivered(eventId: string): void {
    const line: Line = { kind: 'delivered', eventId };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }
}

function accepted({ bus, event }: BusEvent): Line {
  return { kind: 'accepted', bus, event };
}
