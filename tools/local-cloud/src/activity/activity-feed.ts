import type { LogEntry, LogSink } from '../contracts.ts';
import type { Activity, SubjectLogLine } from './activity-types.ts';
import { type ActivitySources, listenToParts } from './part-pulses.ts';

/**
 * The local cloud's activity, for the flow page: an in-process emitter fed by the listeners the
 * parts already offer (API requests, invocations, SQS batches, bus events, workflow states) and by
 * the log sink, whose entries it keeps (a bounded ring) to show one subject's correlated lines. A
 * subject is what a plugin says the page follows, known by its ids' pattern.
 */
export interface ActivityFeed {
  /** Wraps the cloud's log sink: every entry still reaches `sink`, and is kept for the details panel. */
  logSink(sink: LogSink): LogSink;
  /** Subscribes to the running parts; call once they all exist. */
  attach(parts: ActivitySources): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (activity: Activity) => void): () => void;
  /** Called with the id of a subject something just happened to (a log line, an event, a state). */
  onSubjectTouched(listener: (subjectId: string) => void): () => void;
  /** The kept log lines of one subject: those of its correlation ids, and those that name it. */
  logsFor(subjectId: string): SubjectLogLine[];
  stop(): void;
}

const KEPT_LOG_ENTRIES = 5_000;

/** `subjectPatterns`: the plugins' subjects' ids, wherever they appear; none when no plugin has one. */
export function createActivityFeed(subjectPatterns: readonly RegExp[] = []): ActivityFeed {
  const listeners = new Set<(activity: Activity) => void>();
  const touchedListeners = new Set<(subjectId: string) => void>();
  const unsubscribers: (() => void)[] = [];
  const entries: LogEntry[] = [];
  const correlationIdsBySubject = new Map<string, Set<string>>();
  let shortName = (name: string) => name;

  const subjectIn = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    for (const pattern of subjectPatterns) {
      const found = pattern.exec(value)?.[0];
      if (found) return found;
    }
    return undefined;
  };
  const subjectOf = (text: string): { subjectId?: string } => {
    const subjectId = subjectIn(text);
    return subjectId ? { subjectId } : {};
  };
  const touch = (subjectId: string | undefined) => {
    if (!subjectId) return;
    for (const listener of touchedListeners) listener(subjectId);
  };
  const pulse = (
    nodes: (string | undefined)[],
    text: string,
    extra: { failed?: boolean; subjectId?: string } = {},
  ) => {
    const activity: Activity = {
      kind: 'pulse',
      nodes: nodes.filter((node): node is string => node !== undefined),
      text,
      ...(extra.failed ? { failed: true } : {}),
      ...(extra.subjectId ? { subjectId: extra.subjectId } : {}),
      time: new Date().toISOString(),
    };
    for (const listener of listeners) listener(activity);
    touch(extra.subjectId);
  };

  // A field's value first (an id field names its subject), then the message.
  const subjectInEntry = (entry: LogEntry) =>
    Object.values(entry.fields ?? {})
      .map(subjectIn)
      .find(Boolean) ?? subjectIn(entry.message);
  const keep = (entry: LogEntry) => {
    if (entry.level === 'DEBUG') return;
    entries.push(entry);
    if (entries.length > KEPT_LOG_ENTRIES) entries.splice(0, entries.length - KEPT_LOG_ENTRIES);
    const subjectId = subjectInEntry(entry);
    if (subjectId && entry.correlationId) {
      const known = correlationIdsBySubject.get(subjectId);
      if (known) known.add(entry.correlationId);
      else {
        correlationIdsBySubject.set(subjectId, new Set([entry.correlationId]));
        // Subjects older than the kept lines have nothing left to show: forget the oldest first.
        const oldest = correlationIdsBySubject.keys().next().value;
        if (correlationIdsBySubject.size > KEPT_LOG_ENTRIES && oldest) correlationIdsBySubject.delete(oldest);
      }
    }
    touch(subjectId);
  };

  return {
    logSink(sink) {
      return (entry) => {
        sink(entry);
        try {
          keep(entry);
        } catch {
          // The page's bookkeeping must never take the log down with it.
        }
      };
    },

    attach(parts) {
      shortName = parts.index.shortName;
      unsubscribers.push(...listenToParts(parts, pulse, subjectOf));
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onSubjectTouched(listener) {
      touchedListeners.add(listener);
      return () => touchedListeners.delete(listener);
    },

    logsFor(subjectId) {
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

    stop() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      listeners.clear();
      touchedListeners.clear();
    },
  };
}
