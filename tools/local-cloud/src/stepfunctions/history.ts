/**
 * An execution's history as GetExecutionHistory returns it: AWS's events, numbered as they
 * happened, each with its details object (`taskScheduledEventDetails`, `stateEnteredEventDetails`...).
 * Events are kept with their execution data; `view` leaves it out when the caller asks
 * (`includeExecutionData: false`), as AWS does.
 */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

/** An event before it is numbered: its type and its details object. */
export type HistoryEntry = { type: string; [details: string]: unknown };

/** The fields of a details object that carry execution data, and their `…Details` companions. */
const EXECUTION_DATA = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

export class ExecutionHistory {
  readonly #events: HistoryEvent[];
  readonly #onAppend: (event: HistoryEvent) => void;

  /** `events`: what a previous run recorded (a resumed execution's history goes on from it). */
  constructor(events: readonly HistoryEvent[] = [], onAppend: (event: HistoryEvent) => void = () => {}) {
    this.#events = [...events];
    this.#onAppend = onAppend;
  }

  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  append(entry: HistoryEntry, timestamp: Date): void {
    const id = this.#events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp, ...entry };
    this.#events.push(event);
    this.#onAppend(event);
  }

  /** The events in order, with or without their execution data (a copy: the caller may reorder it). */
  view(includeExecutionData: boolean): HistoryEvent[] {
    if (includeExecutionData) return [...this.#events];
    return this.#events.map((event) =>
      Object.fromEntries(
        Object.entries(event).map(([field, value]) => [
          field,
          field.endsWith('EventDetails') && isRecord(value) ? withoutExecutionData(value) : value,
        ]),
      ),
    ) as HistoryEvent[];
  }
}

/** JSON text of a value, with AWS's `…Details` companion (the local service never truncates). */
export function executionData(field: 'input' | 'output', value: unknown): Record<string, unknown> {
  return { [field]: JSON.stringify(value ?? null), [`${field}Details`]: { truncated: false } };
}

/** A history event read back from the journal, where its timestamp is ISO text. */
export function revivedEvent(event: HistoryEvent): HistoryEvent {
  return { ...event, timestamp: new Date(event.timestamp) };
}

function withoutExecutionData(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([field]) => !EXECUTION_DATA.has(field)));
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
