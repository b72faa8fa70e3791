import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { ExecutionContext, instrumentStateEntries } from './context-object.ts';
import { isObject, type PreparedDefinition, type TaskPlan } from './definition.ts';
import { taskError } from './errors.ts';
import { ExecutionHistory, type HistoryEvent } from './history.ts';
import { isTimeout } from './history-entries.ts';
import { HistoryRecorder, type TaskAttempt } from './history-recorder.ts';
import { type ResumedRetries, resumedRetries } from './resumed-retries.ts';
import { type TaskExecution, type TaskHandler, type TaskServices, taskHandler } from './task-handlers.ts';

/** One execution of a state machine on aws-local-stepfunctions, with AWS's bookkeeping around it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An entry of the library's event log (its type is not exported by name). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LibraryJson = Parameters<TaskHandlers[string]>[0];

export interface LocalStateMachine {
  arn: string;
  name: string;
  prepared: PreparedDefinition;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  /** The input as given to StartExecution (JSON text). */
  input: string;
  roleArn: string;
  startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** GetExecutionHistory's events so far, and what a previous run recorded. */
  history: ExecutionHistory;
  /** Aborts a running execution (StopExecution); its error and cause are reported as given. */
  stop(error?: string, cause?: string): void;
  /**
   * Aborts it for the local cloud's stop, once the task call in flight has answered (a function
   * that has been invoked finishes, so its outcome is in the history and the resumed state's retry
   * budget), or after `drainMs`. Settles when it has ended.
   */
  interrupt(drainMs: number): Promise<void>;
  /** Settles once the execution ended and its event log is complete. */
  ended: Promise<void>;
}

export interface ExecutionHooks {
  onEvent(record: ExecutionRecord, event: EventLog): void;
  onHistoryEvent(record: ExecutionRecord, event: HistoryEvent): void;
  onEnd(record: ExecutionRecord): void;
}

/** What a run before a restart left of an execution that had not ended. */
export interface Resumption {
  /** The last top-level state entered, and its input (JSON text); none: it runs from its start. */
  at?: { stateName: string; input: string } | undefined;
  startDate: Date;
  history: readonly HistoryEvent[];
}

export function launchExecution(
  machine: LocalStateMachine,
  start: {
    executionArn: string;
    name: string;
    input: string;
    roleArn: string;
    region: string;
    /** Resumes an execution a restart interrupted: its dates, history and retries go on. */
    resumed?: Resumption | undefined;
  },
  services: TaskServices,
  hooks: ExecutionHooks,
): ExecutionRecord {
  const { resumed } = start;
  const startDate = resumed?.startDate ?? new Date();
  const stopped = new AbortController();
  let stopRequest: { error?: string; cause?: string } = {};
  const calls = new CallsInFlight();
  const context = new ExecutionContext(
    { arn: machine.arn, name: machine.name, stateNames: machine.prepared.stateNames },
    { ...start, startDate },
  );
  const record: ExecutionRecord = {
    executionArn: start.executionArn,
    stateMachineArn: machine.arn,
    stateMachineName: machine.name,
    name: start.name,
    input: start.input,
    roleArn: start.roleArn,
    startDate,
    status: 'RUNNING',
    history: new ExecutionHistory(resumed?.history, (event) => hooks.onHistoryEvent(record, event)),
    stop(error, cause) {
      if (record.status !== 'RUNNING' || stopped.signal.aborted) return;
      stopRequest = { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) };
      stopped.abort();
      run.abort();
    },
    async interrupt(drainMs) {
      const abort = () => record.stop(undefined, 'The local cloud stopped');
      calls.interrupt(abort);
      if (await calls.settled(drainMs)) {
        // The library goes on with the answer at once: it enters the next state, or waits to retry.
        setImmediate(abort);
      } else abort();
      await record.ended;
    },
    ended: Promise.resolve(),
  };
  const recorder = new HistoryRecorder({
    history: record.history,
    roleArn: start.roleArn,
    region: start.region,
    abortReason: () => stopRequest,
    resumedIn: resumed?.at?.stateName,
  });
  const resumedState = resumed && resumedStateOf(machine, resumed);
  const handlers = guardedTaskHandlers(machine, services, {
    execution: { executionArn: start.executionArn, stateMachineArn: machine.arn },
    context,
    recorder,
    resumed: resumedState,
    stopped: stopped.signal,
    calls,
  });
  const run = startRun(
    machine,
    { input: start.input, resumed, resumedState },
    { recorder, context, handlers, calls },
  );

  const eventLog = (async () => {
    for await (const event of run.eventLogs) {
      recorder.library(event);
      hooks.onEvent(record, event);
    }
  })();
  record.ended = Promise.allSettled([run.result, eventLog]).then(([result]) => {
    Object.assign(record, outcome(result, stopRequest), { stopDate: new Date() });
    // Releases whatever still waits (a callback task of a timed-out execution, for one).
    stopped.abort();
    services.tokens.endExecution(record.executionArn);
    hooks.onEnd(record);
  });
  return record;
}

type ResumedState = { stateName: string; retries: ResumedRetries };

/**
 * Runs the definition on the library: from its start, or from the state a restart interrupted
 * (standing in for it on its first entry with the retries it has left).
 */
function startRun(
  machine: LocalStateMachine,
  start: { input: string; resumed: Resumption | undefined; resumedState: ResumedState | undefined },
  run: { recorder: HistoryRecorder; context: ExecutionContext; handlers: TaskHandlers; calls: CallsInFlight },
) {
  const { resumed, resumedState } = start;
  const prepared = resumed?.at
    ? { ...machine.prepared.definition, StartAt: resumed.at.stateName }
    : machine.prepared.definition;
  let resumedEntry = resumedState;
  const definition = instrumentStateEntries(
    prepared,
    (stateName) => {
      run.recorder.stateEntered(stateName);
      const retries = resumedEntry?.stateName === stateName ? resumedEntry.retries.attemptsMade : 0;
      resumedEntry = undefined;
      run.context.stateEntered(stateName, retries);
      // Interrupted: the state's entry is recorded (it is where the execution resumes), then it stops.
      run.calls.stateEntered();
    },
    resumedState && { stateName: resumedState.stateName, state: resumedState.retries.state },
  );
  return new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  }).run(JSON.parse(resumed?.at?.input ?? start.input) as LibraryJson, {
    context: run.context.object,
    overrides: { taskResourceLocalHandlers: run.handlers },
  });
}

/** The resumed state with the retries it has left, when it is a Task state with retriers. */
function resumedStateOf(machine: LocalStateMachine, resumed: Resumption): ResumedState | undefined {
  if (!resumed.at) return undefined;
  const { stateName } = resumed.at;
  const states = machine.prepared.definition.States;
  const state = isObject(states) ? states[stateName] : undefined;
  const retries = isObject(state) ? resumedRetries(state, stateName, resumed.history) : undefined;
  return retries && { stateName, retries };
}

/**
 * The handler of each Task state, bound to this execution: it ends when the execution stops,
 * records its attempts in the history, and counts its failures for `$$.State.RetryCount`.
 */
function guardedTaskHandlers(
  machine: LocalStateMachine,
  services: TaskServices,
  run: {
    execution: Omit<TaskExecution, 'claimTaskToken' | 'taskSubmitted'>;
    context: ExecutionContext;
    recorder: HistoryRecorder;
    resumed: ResumedState | undefined;
    stopped: AbortSignal;
    calls: CallsInFlight;
  },
): TaskHandlers {
  const { context, recorder, resumed, stopped, calls } = run;
  const attempts = new Map<string, { history: TaskAttempt; answered: () => void }>();
  const execution: TaskExecution = {
    ...run.execution,
    claimTaskToken: () => context.claimTaskToken(),
    taskSubmitted: (stateName, output) => {
      attempts.get(stateName)?.history.submitted(output);
      attempts.get(stateName)?.answered();
    },
  };
  const guard = (plan: TaskPlan, handler: TaskHandler) => (input: LibraryJson) => {
    // A retry the library starts after a stop (or an interruption) runs nothing: it is no attempt.
    calls.beforeCall();
    if (stopped.aborted) return untilStopped(() => handler(input), stopped) as Promise<LibraryJson>;
    const attempt = recorder.taskStarted(plan, input);
    const answered = calls.called();
    attempts.set(plan.stateName, { history: attempt, answered });
    return untilStopped(() => handler(input), stopped).then(
      (output) => {
        attempt.settle({ kind: 'succeeded', output });
        answered();
        return output;
      },
      (error: unknown) => {
        answered();
        // An attempt the execution's stop cut short has no outcome (it resumes after a restart).
        if (!stopped.aborted) {
          const { name, message } = error as Error;
          if (resumed?.stateName === plan.stateName) resumed.retries.failed(name);
          attempt.settle({ kind: isTimeout(name) ? 'timedOut' : 'failed', error: name, cause: message });
        }
        context.taskFailed(plan.stateName);
        throw error;
      },
    ) as Promise<LibraryJson>;
  };
  return Object.fromEntries(
    [...machine.prepared.tasks].map(([stateName, plan]) => [
      stateName,
      guard(plan, taskHandler(plan, services, execution)),
    ]),
  );
}

function outcome(
  result: PromiseSettledResult<unknown>,
  stopRequest: { error?: string; cause?: string },
): Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'> {
  if (result.status === 'fulfilled')
    return { status: 'SUCCEEDED', output: JSON.stringify(result.value ?? null) };
  const error = result.reason;
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', ...stopRequest };
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution ran longer than its TimeoutSeconds',
    };
  }
  const failure =
    error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
  return { status: 'FAILED', error: failure.name, cause: failure.message };
}

/**
 * The task calls of one execution that have not answered yet (a callback task's call answers when
 * it has handed its token on), and its interruption: once interrupted, the next state entered or
 * task call aborts the execution.
 */
class CallsInFlight {
  readonly #calls = new Set<object>();
  #drained: (() => void) | undefined;
  #abort: (() => void) | undefined;

  /** Returns the call's answer (called again, it does nothing). */
  called(): () => void {
    const call = {};
    this.#calls.add(call);
    return () => {
      if (this.#calls.delete(call) && this.#calls.size === 0) this.#drained?.();
    };
  }

  interrupt(abort: () => void): void {
    this.#abort = abort;
  }

  /** Whether every call answered within `drainMs`. */
  async settled(drainMs: number): Promise<boolean> {
    if (this.#calls.size === 0) return true;
    const { promise, resolve } = Promise.withResolvers<boolean>();
    this.#drained = () => resolve(true);
    const deadline = setTimeout(() => resolve(false), drainMs);
    const answered = await promise;
    clearTimeout(deadline);
    return answered;
  }

  stateEntered(): void {
    if (this.#abort) queueMicrotask(this.#abort);
  }

  beforeCall(): void {
    this.#abort?.();
  }
}

/** A task's promise, rejected at once when its execution stops (so nothing waits on a dead execution). */
function untilStopped<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const stoppedError = () => taskError('States.Runtime', 'The execution has stopped');
  // A retry after a stop must not run the task again.
  if (signal.aborted) return Promise.reject(stoppedError());
  return new Promise<T>((resolve, reject) => {
    const onStop = () => reject(stoppedError());
    signal.addEventListener('abort', onStop, { once: true });
    task()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onStop));
  });
}
