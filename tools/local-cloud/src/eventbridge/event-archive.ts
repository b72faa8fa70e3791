import { describeError } from '../kit/service-log.ts';
import { compileEventPattern, type EventPatternMatcher } from './event-pattern.ts';
import type { EventBridgeEvent } from './put-events.ts';
import type { EventBus } from './rules.ts';

/**
 * The template's `AWS::Events::Archive`s: every event PutEvents accepts on an archive's bus that
 * matches its pattern (no pattern: every event) is kept with the time it was received, for replays.
 * Replayed events never reach an archive (AWS adds `"replay-name": [{"exists": false}]` to the
 * archive's managed rule); events older than the archive's retention are dropped.
 */
export interface ArchiveDefinition {
  name: string;
  arn: string;
  /** The ARN of the bus whose events it keeps. */
  sourceArn: string;
  pattern?: Record<string, unknown>;
  /** Absent or 0: kept indefinitely, as on AWS. */
  retentionDays?: number;
  description?: string;
}

export interface ArchivedEvent {
  archive: string;
  /** Epoch milliseconds: what retention counts from. */
  receivedAt: number;
  event: EventBridgeEvent;
}

/** What a restarted local cloud kept of its archives (`--persist`). */
export interface KeptArchives {
  createdAt: Record<string, number>;
  events: ArchivedEvent[];
}

interface LiveArchive {
  definition: ArchiveDefinition;
  bus: EventBus;
  matches: EventPatternMatcher;
  createdAt: number;
  events: ArchivedEvent[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

export class EventArchives {
  readonly #archives = new Map<string, LiveArchive>();
  readonly #now: () => number;

  constructor(
    definitions: readonly ArchiveDefinition[],
    buses: readonly EventBus[],
    options: { kept?: KeptArchives | undefined; now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
    const startedAt = this.#now();
    for (const definition of definitions) {
      const bus = buses.find((candidate) => candidate.arn === definition.sourceArn);
      if (!bus) {
        throw new Error(
          `Archive ${definition.name} keeps the events of ${definition.sourceArn}, which is not a local bus (${buses.map((candidate) => candidate.arn).join(', ')})`,
        );
      }
      this.#archives.set(definition.name, {
        definition,
        bus,
        matches: compileArchivePattern(definition),
        createdAt: options.kept?.createdAt[definition.name] ?? startedAt,
        events: (options.kept?.events ?? []).filter((kept) => kept.archive === definition.name),
      });
    }
  }

  /** Keeps an accepted event in every archive of its bus whose pattern it matches; returns what was kept. */
  record(bus: EventBus, event: EventBridgeEvent, receivedAt = this.#now()): ArchivedEvent[] {
    if (event['replay-name'] !== undefined) return [];
    const kept: ArchivedEvent[] = [];
    for (const archive of this.#archives.values()) {
      if (archive.bus.name !== bus.name || !archive.matches(event)) continue;
      const archived = { archive: archive.definition.name, receivedAt, event };
      archive.events.push(archived);
      kept.push(archived);
    }
    return kept;
  }

  byName(name: string): ArchiveView | undefined {
    const archive = this.#archives.get(name);
    return archive ? this.#view(archive) : undefined;
  }

  byArn(arn: string): ArchiveView | undefined {
    const archive = [...this.#archives.values()].find((candidate) => candidate.definition.arn === arn);
    return archive ? this.#view(archive) : undefined;
  }

  all(): ArchiveView[] {
    return [...this.#archives.values()].map((archive) => this.#view(archive));
  }

  /** What a restart keeps: every archive's creation time and its events still within retention. */
  kept(): KeptArchives {
    const archives = [...this.#archives.values()];
    return {
      createdAt: Object.fromEntries(archives.map((archive) => [archive.definition.name, archive.createdAt])),
      events: archives.flatMap((archive) => this.#retained(archive)),
    };
  }

  #view(archive: LiveArchive): ArchiveView {
    const events = this.#retained(archive);
    return {
      ...archive.definition,
      bus: archive.bus,
      createdAt: archive.createdAt,
      eventCount: events.length,
      sizeBytes: events.reduce((total, { event }) => total + Buffer.byteLength(JSON.stringify(event)), 0),
      eventsBetween: (startMs, endMs) =>
        events
          .filter(({ event }) => {
            const time = Date.parse(event.time);
            return time >= startMs && time < endMs;
          })
          .sort((one, other) => Date.parse(one.event.time) - Date.parse(other.event.time)),
    };
  }

  /** The archive's events within its retention; older ones are dropped as they are found. */
  #retained(archive: LiveArchive): ArchivedEvent[] {
    const days = archive.definition.retentionDays ?? 0;
    if (days <= 0) return archive.events;
    const oldest = this.#now() - days * DAY_MS;
    archive.events = archive.events.filter((archived) => archived.receivedAt >= oldest);
    return archive.events;
  }
}

/** An archive as the API describes it, with the events a replay of a window sends again. */
export interface ArchiveView extends ArchiveDefinition {
  bus: EventBus;
  createdAt: number;
  eventCount: number;
  sizeBytes: number;
  /** By the time in the event (PutEvents' `Time`, or when it was received), oldest first; end excluded. */
  eventsBetween(startMs: number, endMs: number): ArchivedEvent[];
}

function compileArchivePattern(definition: ArchiveDefinition): EventPatternMatcher {
  if (definition.pattern === undefined) return () => true;
  try {
    return compileEventPattern(definition.pattern);
  } catch (error) {
    throw new Error(`Archive ${definition.name} cannot run locally: ${describeError(error)}`, {
      cause: error,
    });
  }
}
