import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type ExecutionContext, instrumentStateEntries } from './context-object.ts';
import { isObject, type Json } from './definition.ts';
import type { EventLog } from './execution.ts';
import type { TaskHandler } from './task-handlers.ts';

/**
 * Runs the one state TestState tests on aws-local-stepfunctions, in a state machine of that state
 * and a stand-in for each state it can go to, and stops at its first transition: the library
 * decides the output, the next state, and which retrier or catcher takes an error, as it does in
 * an execution. A retry is reported (RETRIABLE), never waited for or run, as on AWS.
 */
export type TestStatus = 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';

export interface ErrorDetails {
  retryIndex?: number;
  catchIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

export interface TestedStateRun {
  status: TestStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  nextState?: string;
  /** A Task's effective input (after Parameters) and raw result, when it was called and answered. */
  task?: { input: unknown; result?: unknown };
  errorDetails?: ErrorDetails;
}

export interface TestedState {
  name: string;
  /** The prepared state machine of the state and its stand-ins (see `singleStateMachine`). */
  definition: Json;
  /** The state as the request wrote it: its retriers' own intervals make the backoff. */
  written: Json;
  input: unknown;
  context: ExecutionContext;
  /** A Task state's work: the mock's answer, or the real integration. */
  task?: TaskHandler;
  /** Retries already made by the retrier that matches the error (`stateConfiguration`). */
  retrierRetryCount: number;
}

/** The default of a retrier's MaxAttempts, IntervalSeconds and BackoffRate in the States language. */
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_INTERVAL_SECONDS = 1;
const DEFAULT_BACKOFF_RATE = 2;

/**
 * A state machine that starts at the state and ends at any state it can go to (a Succeed stand-in
 * per name), so a state given alone, whose Next names nothing, still runs.
 */
export function singleStateMachine(name: string, state: Json): Json {
  const stateTargets = [
    state.Next,
    state.Default,
    ...(Array.isArray(state.Choices)
      ? state.Choices.map((rule) => (isObject(rule) ? rule.Next : undefined))
      : []),
    ...(Array.isArray(state.Catch)
      ? state.Catch.map((catcher) => (isObject(catcher) ? catcher.Next : undefined))
      : []),
  ].filter((target): target is string => typeof target === 'string' && target !== name);
  return {
    StartAt: name,
    States: {
      [name]: state,
      ...Object.fromEntries(stateTargets.map((target) => [target, { Type: 'Succeed' }])),
    },
  };
}

export async function runTestedState(tested: TestedState): Promise<TestedStateRun> {
  const count = tested.retrierRetryCount;
  const retriers = writtenRetriers(tested.written);
  // The retries already made come off each retrier's attempts, so the library retries only when AWS would.
  const main = await runOnce(tested, (state) => {
    if (Array.isArray(state.Retry)) {
      state.Retry = state.Retry.map((retrier, index) => ({
        ...(retrier as Json),
        MaxAttempts: Math.max(0, maxAttemptsOf(retriers[index]) - count),
      }));
    }
  });
  const { run } = main;
  if (main.retrierIndex !== undefined) {
    const retrier = retriers[main.retrierIndex];
    return {
      ...run,
      status: 'RETRIABLE',
      errorDetails: {
        retryBackoffIntervalSeconds: backoffSeconds(retrier, count),
        retryIndex: main.retrierIndex,
      },
    };
  }
  if (run.status === 'SUCCEEDED' || main.thrown === undefined || !retriers.some((r) => isSpent(r, count))) {
    return run;
  }
  // A retrier that matched but had no attempt left: found by replaying the error once with every
  // retrier open, without calling the task again.
  const thrown = main.thrown;
  const replay = await runOnce({ ...tested, task: () => Promise.reject(thrown) }, (state) => {
    state.Retry = retriers.map((retrier) => ({ ...retrier, MaxAttempts: 1 }));
    delete state.Catch;
  });
  const spent = replay.retrierIndex;
  if (spent === undefined || !isSpent(retriers[spent], count)) return run;
  return { ...run, errorDetails: { ...run.errorDetails, retryIndex: spent } };
}

interface SingleRun {
  run: TestedStateRun;
  /** The retrier the library retried with, if it did. */
  retrierIndex?: number;
  /** What the task threw. */
  thrown?: unknown;
}

/** One run on the library, stopped at the state's first transition or second task call. */
async function runOnce(tested: TestedState, adjust: (state: Json) => void): Promise<SingleRun> {
  const { name, context } = tested;
  const definition = structuredClone(tested.definition);
  const state = (definition.States as Json)[name] as Json;
  adjust(state);

  let run: ReturnType<StateMachine['run']> | undefined;
  let entries = 0;
  let nextState: string | undefined;
  let task: TestedStateRun['task'];
  let thrown: unknown;
  const instrumented = instrumentStateEntries(definition, (stateName) => {
    entries += 1;
    if (entries === 1) {
      context.stateEntered(stateName);
      for (let retry = 0; retry < tested.retrierRetryCount; retry += 1) context.taskFailed(stateName);
      return;
    }
    // The state's transition: the state machine stops before the next state runs.
    nextState = stateName;
    run?.abort();
  });
  const handlers: Record<string, TaskHandler> = {};
  const work = tested.task;
  if (work) {
    handlers[name] = async (input) => {
      // A second call is the library's retry: the answer is RETRIABLE, and the run stops here
      // (answered, so that the library clears its task timer).
      if (task) {
        run?.abort();
        return null;
      }
      task = { input };
      try {
        task.result = await work(input);
        return task.result;
      } catch (error) {
        thrown = error;
        throw error;
      }
    };
  }
  const started = new StateMachine(instrumented as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  }).run(tested.input as never, {
    context: context.object,
    noThrowOnAbort: true,
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: { [name]: 0 },
      // A Wait state answers at once.
      waitTimeOverrides: { [name]: 0 },
    },
  });
  run = started;
  const events: EventLog[] = [];
  const collected = (async () => {
    for await (const event of started.eventLogs) events.push(event);
  })();
  const [result] = await Promise.allSettled([started.result, collected]);
  return { ...outcome(name, state, events, result, nextState, task), thrown };
}

function outcome(
  name: string,
  state: Json,
  events: EventLog[],
  result: PromiseSettledResult<unknown>,
  nextState: string | undefined,
  task: TestedStateRun['task'],
): Omit<SingleRun, 'thrown'> {
  const ofState = events.filter((event) => 'state' in event && event.state.name === name);
  const failed = ofState.findLast((event) => event.type === 'StateFailed');
  const failure = failed && 'Error' in failed ? { error: failed.Error, cause: causeText(failed.Cause) } : {};
  const base = { ...(task ? { task } : {}) };
  const retried = ofState.find((event) => event.type === 'StateRetried');
  if (retried && 'retry' in retried) {
    const retrierIndex = indexOfEqual(state.Retry, retried.retry.retrier);
    return { run: { ...base, status: 'RETRIABLE', ...failure }, retrierIndex };
  }
  if (result.status === 'rejected') return { run: { ...base, status: 'FAILED', ...failure } };
  const exited = ofState.find((event) => event.type === 'StateExited');
  const output = exited && 'state' in exited ? exited.state.output : result.value;
  const transition = { output, ...(nextState === undefined ? {} : { nextState }) };
  const caught = ofState.find((event) => event.type === 'StateCaught');
  if (caught && 'catch' in caught) {
    const catchIndex = indexOfEqual(state.Catch, caught.catch.catcher);
    return {
      run: { ...base, status: 'CAUGHT_ERROR', ...failure, ...transition, errorDetails: { catchIndex } },
    };
  }
  return { run: { ...base, status: 'SUCCEEDED', ...transition } };
}

function writtenRetriers(state: Json): Json[] {
  return Array.isArray(state.Retry) ? state.Retry.filter(isObject) : [];
}

const maxAttemptsOf = (retrier: Json | undefined): number =>
  typeof retrier?.MaxAttempts === 'number' ? retrier.MaxAttempts : DEFAULT_MAX_ATTEMPTS;

/** A retrier that would retry but whose attempts the retries already made have used up. */
const isSpent = (retrier: Json | undefined, count: number): boolean =>
  maxAttemptsOf(retrier) > 0 && maxAttemptsOf(retrier) <= count;

/**
 * The wait before the next retry, as the retrier defines it: IntervalSeconds × BackoffRate to the
 * power of the retries made, at most MaxDelaySeconds (before any jitter).
 */
function backoffSeconds(retrier: Json | undefined, retriesMade: number): number {
  const interval =
    typeof retrier?.IntervalSeconds === 'number' ? retrier.IntervalSeconds : DEFAULT_INTERVAL_SECONDS;
  const rate = typeof retrier?.BackoffRate === 'number' ? retrier.BackoffRate : DEFAULT_BACKOFF_RATE;
  const wait = interval * rate ** retriesMade;
  const capped =
    typeof retrier?.MaxDelaySeconds === 'number' ? Math.min(wait, retrier.MaxDelaySeconds) : wait;
  return Math.round(capped);
}

function indexOfEqual(list: unknown, item: unknown): number | undefined {
  if (!Array.isArray(list)) return undefined;
  const text = JSON.stringify(item);
  const index = list.findIndex((entry) => entry === item || JSON.stringify(entry) === text);
  return index === -1 ? undefined : index;
}

const causeText = (cause: unknown): string =>
  typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : JSON.stringify(cause ?? '');
