import { isObject, type Json } from './definition.ts';
import type { HistoryEvent } from './history.ts';

/**
 * The retry budget a state resumed after a restart has left, so that a restart does not give it a
 * fresh one (five calls to a failing provider stay five, however many restarts come between).
 *
 * aws-local-stepfunctions keeps each retrier's attempt count inside the run and offers no way to
 * set it, but it reads the retrier's fields at every failure. So the resumed state runs with each
 * retrier's MaxAttempts reduced by the attempts already charged to it, and its IntervalSeconds
 * advanced by BackoffRate as many times (the waits go on where they were; MaxDelaySeconds and
 * JitterStrategy are kept). The charges are read back from the history: each task failure since
 * the state's last entry, matched to the retrier the library would have chosen.
 *
 * An attempt a restart cut short (scheduled, never answered: the process was killed, or the call
 * outlasted the stop's wait) had no error to match: each is charged to the retrier that the resumed
 * attempt's first failure matches, as a failure of the same kind, when that failure comes.
 */
export interface ResumedRetries {
  /** The state to run in place of the definition's, on its first entry. */
  state: Json;
  /** The attempts already made, what `$$.State.RetryCount` goes on from. */
  attemptsMade: number;
  /** Called with each failure of the resumed state (before the library sees it). */
  failed(error: string): void;
}

/** Defaults of the States Language for a retrier's fields. */
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_BACKOFF_RATE = 2;

const SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);
const FAILED = new Set(['TaskFailed', 'TaskTimedOut', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut']);

export function resumedRetries(
  state: Json,
  stateName: string,
  history: readonly HistoryEvent[],
): ResumedRetries | undefined {
  if (state.Type !== 'Task' || !Array.isArray(state.Retry)) return undefined;
  const resumed = structuredClone(state);
  const retriers = (resumed.Retry as unknown[]).filter(isObject);
  const attempts = attemptsSinceEntry(stateName, history);
  for (const error of attempts.errors) {
    const retrier = matchingRetrier(retriers, error);
    if (retrier && maxAttemptsOf(retrier) > 0) charge(retrier);
  }
  let cutShort = Math.max(0, attempts.scheduled - attempts.errors.length);
  return {
    state: resumed,
    attemptsMade: attempts.scheduled,
    failed(error) {
      const retrier = matchingRetrier(retriers, error);
      for (; cutShort > 0; cutShort -= 1) {
        if (retrier && maxAttemptsOf(retrier) > 0) charge(retrier);
      }
    },
  };
}

/** The task attempts since the state's last entry: how many were scheduled, and their errors. */
function attemptsSinceEntry(
  stateName: string,
  history: readonly HistoryEvent[],
): { scheduled: number; errors: string[] } {
  const entry = history.findLastIndex(
    (event) => (event.stateEnteredEventDetails as { name?: string } | undefined)?.name === stateName,
  );
  const since = entry < 0 ? [] : history.slice(entry + 1);
  const errors = since.flatMap((event) => {
    if (!FAILED.has(event.type)) return [];
    const details = Object.entries(event).find(([field]) => field.endsWith('EventDetails'))?.[1];
    return isObject(details) && typeof details.error === 'string' ? [details.error] : [];
  });
  return { scheduled: since.filter((event) => SCHEDULED.has(event.type)).length, errors };
}

/** The first retrier whose ErrorEquals names the error, as the library (and AWS) chooses it. */
function matchingRetrier(retriers: Json[], error: string): Json | undefined {
  return retriers.find((retrier) => {
    const names = Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals : [];
    return (
      names.includes(error) ||
      names.includes('States.ALL') ||
      (names.includes('States.TaskFailed') && error !== 'States.Timeout')
    );
  });
}

/** One attempt spent: one fewer left, and the next wait one backoff step further. */
function charge(retrier: Json): void {
  const backoffRate = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : DEFAULT_BACKOFF_RATE;
  const interval =
    typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : DEFAULT_INTERVAL_SECONDS;
  retrier.MaxAttempts = maxAttemptsOf(retrier) - 1;
  retrier.IntervalSeconds = interval * backoffRate;
}

const maxAttemptsOf = (retrier: Json): number =>
  typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : DEFAULT_MAX_ATTEMPTS;
