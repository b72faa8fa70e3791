import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { ExecutionContext, instrumentStateEntries } from './context-object.ts';
import type { PreparedDefinition } from './definition.ts';
import { taskError } from './errors.ts';
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
  /** The library's event log so far, in order (GetExecutionHistory). */
  events: EventLog[];
  /** Aborts a running execution (StopExecution); its error and cause are reported as given. */
  stop(error?: string, cause?: string): void;
  /** Settles once the execution ended and its event log is complete. */
  ended: Promise<void>;
}

export interface ExecutionHooks {
  onEvent(record: ExecutionRecord, event: EventLog): void;
  onEnd(record: ExecutionRecord): void;
}

export function launchExecution(
  machine: LocalStateMachine,
  start: {
    executionArn: string;
    name: string;
    input: string;
    roleArn: string;
    /** Resumes an execution a restart interrupted: runs from this state, with this input (JSON text). */
    resumeAt?: { stateName: string; input: string } | undefined;
  },
  services: TaskServices,
  hooks: ExecutionHooks,
): ExecutionRecord {
  const startDate = new Date();
  const stopped = new AbortController();
  let stopRequest: { error?: string; cause?: string } = {};
  const context = new ExecutionContext(
    { arn: machine.arn, name: machine.name, stateNames: machine.prepared.stateNames },
    { ...start, startDate },
  );
  const handlers = guardedTaskHandlers(machine, services, {
    execution: { executionArn: start.executionArn, stateMachineArn: machine.arn },
    context,
    stopped: stopped.signal,
  });

  const prepared = start.resumeAt
    ? { ...machine.prepared.definition, StartAt: start.resumeAt.stateName }
    : machine.prepared.definition;
  const definition = instrumentStateEntries(prepared, (stateName) => context.stateEntered(stateName));
  const run = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  }).run(JSON.parse(start.resumeAt?.input ?? start.input) as LibraryJson, {
    context: context.object,
    overrides: { taskResourceLocalHandlers: handlers },
  });

  const record: ExecutionRecord = {
    executionArn: start.executionArn,
    stateMachineArn: machine.arn,
    stateMachineName: machine.name,
    name: start.name,
    input: start.input,
    roleArn: start.roleArn,
    startDate,
    status: 'RUNNING',
    events: [],
    stop(error, cause) {
      if (record.status !== 'RUNNING' || stopped.signal.aborted) return;
      stopRequest = { ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) };
      stopped.abort();
      run.abort();
    },
    ended: Promise.resolve(),
  };

  const eventLog = (async () => {
    for await (const event of run.eventLogs) {
      record.events.push(event);
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

/**
 * The handler of each Task state, bound to this execution: it ends when the execution stops, and
 * counts its failures for `$$.State.RetryCount`.
 */
function guardedTaskHandlers(
  machine: LocalStateMachine,
  services: TaskServices,
  run: {
    execution: Omit<TaskExecution, 'claimTaskToken'>;
    context: ExecutionContext;
    stopped: AbortSignal;
  },
): TaskHandlers {
  const { context, stopped } = run;
  const execution: TaskExecution = { ...run.execution, claimTaskToken: () => context.claimTaskToken() };
  const guard = (stateName: string, handler: TaskHandler) => (input: LibraryJson) =>
    untilStopped(() => handler(input), stopped).catch((error: unknown) => {
      context.taskFailed(stateName);
      throw error;
    }) as Promise<LibraryJson>;
  return Object.fromEntries(
    [...machine.prepared.tasks].map(([stateName, plan]) => [
      stateName,
      guard(stateName, taskHandler(plan, services, execution)),
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
