import type { TaskPlan } from './definition.ts';
import type { EventLog } from './execution.ts';
import type { ExecutionHistory, HistoryEntry } from './history.ts';
import {
  abortedEntry,
  isTimeout,
  libraryEntry,
  type TaskOutcome,
  taskOutcomeEntry,
  taskStartEntries,
} from './history-entries.ts';

/**
 * Writes one execution's history in the sequence AWS would, from two sources that do not arrive in
 * that sequence: the library's event log, which is read asynchronously (a few microtasks late), and
 * the task handlers' calls, which happen at once. A task's events wait until the history holds
 * the entry of the state they belong to (counted per state: `stateEntered` is told of each entry
 * synchronously, by the definition's instrumented `States`); the library's exit or failure of a
 * state always comes after its task's outcome, which was written when it happened.
 */
export interface TaskAttempt {
  /** The attempt's outcome; once the attempt has one (or the execution ended), later ones are ignored. */
  settle(outcome: TaskOutcome): void;
  /** A callback task handed its token on: TaskSubmitted, with what the hand-over returned. */
  submitted(output: unknown): void;
}

interface StateProgress {
  /** Entries the library made (told synchronously). */
  entered: number;
  /** Entries the history holds. */
  written: number;
  /** Task events of entries the history does not hold yet, with the entry they belong to. */
  pending: { entry: number; event: HistoryEntry; time: Date }[];
  /** The task attempt that has no outcome yet. */
  open: { plan: TaskPlan; settled: boolean } | undefined;
}

export interface HistoryRecorderOptions {
  history: ExecutionHistory;
  roleArn: string;
  region: string;
  /** StopExecution's error and cause, for ExecutionAborted. */
  abortReason(): { error?: string; cause?: string };
  /**
   * The state a resumed execution resumes in. Its history goes on from the last run's (the
   * library's new ExecutionStarted is left out), and the library's entry of this state is left out
   * too when that history shows the state entered and not left (it goes on, as a retried task does).
   */
  resumedIn?: string | undefined;
}

export class HistoryRecorder {
  readonly #options: HistoryRecorderOptions;
  readonly #states = new Map<string, StateProgress>();
  #ended = false;
  #skipStarted: boolean;
  #skipEntryOf: string | undefined;

  constructor(options: HistoryRecorderOptions) {
    this.#options = options;
    this.#skipStarted = options.history.events.length > 0;
    this.#skipEntryOf =
      options.resumedIn !== undefined && isLeftOpen(options.history, options.resumedIn)
        ? options.resumedIn
        : undefined;
  }

  /** Called synchronously as the library enters a state (before its event is read). */
  stateEntered(stateName: string): void {
    this.#progressOf(stateName).entered += 1;
  }

  /** An event of the library's log, as it is read. */
  library(event: EventLog): void {
    if (this.#ended) return;
    if (event.type === 'ExecutionStarted' && this.#skipStarted) {
      this.#skipStarted = false;
      return;
    }
    if (event.type === 'StateFailed' && isTimeout(event.Error)) {
      // A task attempt the library timed out itself: the handler never answered. (Any other failure
      // was recorded as the handler failed: the attempt open now may be its retry.)
      this.#settle(event.state.name, { kind: 'timedOut', error: event.Error, cause: String(event.Cause) });
    }
    if (event.type === 'StateEntered' && event.state.name === this.#skipEntryOf) {
      this.#skipEntryOf = undefined;
      this.#entryWritten(event.state.name);
      return;
    }
    const { error, cause } = this.#options.abortReason();
    const entry =
      event.type === 'ExecutionAborted' ? abortedEntry(error, cause) : libraryEntry(event, this.#options);
    if (entry) this.#write(entry, new Date(event.timestamp));
    if (event.type === 'StateEntered') this.#entryWritten(event.state.name);
    if (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted') this.#ended = true;
  }

  /** A task handler was called with its effective input (the state's Parameters applied). */
  taskStarted(plan: TaskPlan, parameters: unknown): TaskAttempt {
    const progress = this.#progressOf(plan.stateName);
    if (progress.open) {
      // The attempt before never answered, yet the state runs again: the library timed it out.
      this.#settle(plan.stateName, {
        kind: 'timedOut',
        error: 'States.Timeout',
        cause: 'The task timed out',
      });
    }
    const attempt = { plan, settled: false };
    progress.open = attempt;
    for (const event of taskStartEntries(plan, parameters, this.#options.region)) {
      this.#taskEvent(plan.stateName, event);
    }
    return {
      settle: (outcome) => {
        if (attempt.settled) return;
        this.#settle(plan.stateName, outcome);
      },
      submitted: (output) => {
        if (!attempt.settled)
          this.#taskEvent(plan.stateName, taskOutcomeEntry(plan, { kind: 'submitted', output }));
      },
    };
  }

  #settle(stateName: string, outcome: TaskOutcome): void {
    const progress = this.#progressOf(stateName);
    const attempt = progress.open;
    if (!attempt) return;
    attempt.settled = true;
    progress.open = undefined;
    this.#taskEvent(stateName, taskOutcomeEntry(attempt.plan, outcome));
  }

  #taskEvent(stateName: string, event: HistoryEntry): void {
    const progress = this.#progressOf(stateName);
    if (progress.written >= progress.entered) this.#write(event, new Date());
    else progress.pending.push({ entry: progress.entered, event, time: new Date() });
  }

  #entryWritten(stateName: string): void {
    const progress = this.#progressOf(stateName);
    progress.written += 1;
    const ready = progress.pending.filter(({ entry }) => entry <= progress.written);
    progress.pending = progress.pending.filter(({ entry }) => entry > progress.written);
    for (const { event, time } of ready) this.#write(event, time);
  }

  #write(entry: HistoryEntry, time: Date): void {
    if (!this.#ended) this.#options.history.append(entry, time);
  }

  #progressOf(stateName: string): StateProgress {
    let progress = this.#states.get(stateName);
    if (!progress) {
      progress = { entered: 0, written: 0, pending: [], open: undefined };
      this.#states.set(stateName, progress);
    }
    return progress;
  }
}

/** Whether the history's last entry of this state has no exit after it. */
function isLeftOpen(history: ExecutionHistory, stateName: string): boolean {
  const events = history.events;
  const named = (event: (typeof events)[number], field: string) =>
    (event[field] as { name?: string } | undefined)?.name === stateName;
  const lastEntry = events.findLastIndex((event) => named(event, 'stateEnteredEventDetails'));
  return lastEntry >= 0 && !events.slice(lastEntry).some((event) => named(event, 'stateExitedEventDetails'));
}
