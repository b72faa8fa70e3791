import type { LogSink } from '../contracts.ts';
import type { Activity, SubjectLogLine } from './activity-types.ts';
import { type ActivitySources, listenToParts, type Pulse } from './part-pulses.ts';
import { createSubjectLog, subjectFinder } from './subject-log.ts';

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
  const subjectIn = subjectFinder(subjectPatterns);
  const subjectLog = createSubjectLog(subjectIn, KEPT_LOG_ENTRIES);
  let shortName = (name: string) => name;

  const subjectOf = (text: string): { subjectId?: string } => {
    const subjectId = subjectIn(text);
    return subjectId ? { subjectId } : {};
  };
  const touch = (subjectId: string | undefined) => {
    if (!subjectId) return;
    for (const listener of touchedListeners) listener(subjectId);
  };
  const pulse: Pulse = (nodes, text, extra = {}) => {
    const activity = pulseActivity(nodes, text, extra);
    for (const listener of listeners) listener(activity);
    touch(extra.subjectId);
  };

  return {
    logSink(sink) {
      return (entry) => {
        sink(entry);
        try {
          touch(subjectLog.keep(entry));
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

    logsFor: (subjectId) => subjectLog.linesFor(subjectId, shortName),

    stop() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      listeners.clear();
      touchedListeners.clear();
    },
  };
}

/** What lit which boxes, as the page gets it: the boxes that exist, and `failed` and `subjectId` when set. */
function pulseActivity(
  nodes: (string | undefined)[],
  text: string,
  extra: { failed?: boolean; subjectId?: string },
): Activity {
  return {
    kind: 'pulse',
    nodes: nodes.filter((node): node is string => node !== undefined),
    text,
    ...(extra.failed ? { failed: true } : {}),
    ...(extra.subjectId ? { subjectId: extra.subjectId } : {}),
    time: new Date().toISOString(),
  };
}
