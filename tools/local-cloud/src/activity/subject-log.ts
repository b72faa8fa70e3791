import type { LogEntry } from '../contracts.ts';
import type { SubjectLogLine } from './activity-types.ts';

/** The first subject id one of the plugins' patterns finds in a value; undefined for a non-string. */
export type SubjectFinder = (value: unknown) => string | undefined;

export function subjectFinder(patterns: readonly RegExp[]): SubjectFinder {
  return (value) => {
    if (typeof value !== 'string') return undefined;
    for (const pattern of patterns) {
      const found = pattern.exec(value)?.[0];
      if (found) return found;
    }
    return undefined;
  };
}

/**
 * The log lines the details panel shows for a subject: the cloud's entries in a bounded ring, and
 * for each subject the correlation ids of the entries that named it, so that a function's lines
 * that never name the subject still show with those that do.
 */
export interface SubjectLog {
  /** Keeps an entry (DEBUG ones are not kept); returns the subject it names, if any. */
  keep(entry: LogEntry): string | undefined;
  /** The kept lines of one subject: those of its correlation ids, and those that name it. */
  linesFor(subjectId: string, shortName: (name: string) => string): SubjectLogLine[];
}

export function createSubjectLog(subjectIn: SubjectFinder, capacity: number): SubjectLog {
  const entries: LogEntry[] = [];
  const correlationIdsBySubject = new Map<string, Set<string>>();

  // A field's value first (an id field names its subject), then the message.
  const subjectInEntry = (entry: LogEntry) =>
    Object.values(entry.fields ?? {})
      .map(subjectIn)
      .find(Boolean) ?? subjectIn(entry.message);

  const remember = (subjectId: string, correlationId: string) => {
    const known = correlationIdsBySubject.get(subjectId);
    if (known) {
      known.add(correlationId);
      return;
    }
    correlationIdsBySubject.set(subjectId, new Set([correlationId]));
    // Subjects older than the kept lines have nothing left to show: forget the oldest first.
    const oldest = correlationIdsBySubject.keys().next().value;
    if (correlationIdsBySubject.size > capacity && oldest) correlationIdsBySubject.delete(oldest);
  };

  return {
    keep(entry) {
      if (entry.level === 'DEBUG') return undefined;
      entries.push(entry);
      if (entries.length > capacity) entries.splice(0, entries.length - capacity);
      const subjectId = subjectInEntry(entry);
      if (subjectId && entry.correlationId) remember(subjectId, entry.correlationId);
      return subjectId;
    },

    linesFor(subjectId, shortName) {
      const correlationIds = correlationIdsBySubject.get(subjectId) ?? new Set<string>();
      // Entries arrive as workers flush their output: in time per function, not across them.
      return entries
        .filter(
          (entry) =>
            (entry.correlationId !== undefined && correlationIds.has(entry.correlationId)) ||
            entry.message.includes(subjectId) ||
            Object.values(entry.fields ?? {}).includes(subjectId),
        )
        .sort((a, b) => a.time.localeCompare(b.time))
        .map(({ time, level, source, message, correlationId }) => ({
          time,
          level,
          source: shortName(source),
          message,
          ...(correlationId ? { correlationId } : {}),
        }));
    },
  };
}
