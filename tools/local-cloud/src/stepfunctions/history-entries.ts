import type { TaskPlan } from './definition.ts';
import type { EventLog } from './execution.ts';
import { executionData, type HistoryEntry } from './history.ts';

/**
 * The history entries AWS records, built from what the local execution sees: the library's event
 * log (executions, state entries and exits, Map iterations) and the task handlers' calls (scheduled,
 * started, submitted, succeeded, failed, timed out). The library's retry and catch events have no
 * event of their own on AWS: a retry shows as the task's failure followed by a new scheduling.
 */
export type TaskOutcome =
  | { kind: 'succeeded'; output: unknown }
  | { kind: 'submitted'; output: unknown }
  | { kind: 'failed' | 'timedOut'; error: string; cause: string };

/** The execution-level events, the states' entries and exits, and Map iterations. */
export function libraryEntry(event: EventLog, execution: { roleArn: string }): HistoryEntry | undefined {
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        executionStartedEventDetails: { ...executionData('input', event.input), roleArn: execution.roleArn },
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: executionData('output', event.output),
      };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) },
      };
    case 'ExecutionTimeout':
      return {
        type: 'ExecutionTimedOut',
        executionTimedOutEventDetails: {
          error: 'States.Timeout',
          cause: 'The execution ran longer than its TimeoutSeconds',
        },
      };
    case 'StateEntered':
      return {
        type: `${event.state.type}StateEntered`,
        stateEnteredEventDetails: { name: event.state.name, ...executionData('input', event.state.input) },
      };
    case 'StateExited':
      return {
        type: `${event.state.type}StateExited`,
        stateExitedEventDetails: { name: event.state.name, ...executionData('output', event.state.output) },
      };
    case 'StateFailed':
      return event.state.type === 'Map' || event.state.type === 'Parallel'
        ? { type: `${event.state.type}StateFailed` }
        : undefined;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const detailsField = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
      return { type: event.type, [detailsField]: { name: event.parentState.name, index: event.index } };
    }
    default:
      // ExecutionAborted is recorded with the error and cause StopExecution gave (abortedEntry).
      return undefined;
  }
}

export function abortedEntry(error: string | undefined, cause: string | undefined): HistoryEntry {
  return {
    type: 'ExecutionAborted',
    executionAbortedEventDetails: {
      ...(error === undefined ? {} : { error }),
      ...(cause === undefined ? {} : { cause }),
    },
  };
}

/**
 * A task handed to its resource: `LambdaFunctionScheduled` and `LambdaFunctionStarted` for a
 * function ARN as the Resource, `TaskScheduled` and `TaskStarted` for a service integration.
 */
export function taskStartEntries(plan: TaskPlan, parameters: unknown, region: string): HistoryEntry[] {
  if (plan.target.kind === 'lambda-function') {
    return [
      {
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: {
          resource: plan.resource,
          ...executionData('input', parameters),
        },
      },
      { type: 'LambdaFunctionStarted' },
    ];
  }
  const resource = integrationOf(plan);
  return [
    {
      type: 'TaskScheduled',
      taskScheduledEventDetails: {
        ...resource,
        region,
        parameters: JSON.stringify(parameters ?? null),
      },
    },
    { type: 'TaskStarted', taskStartedEventDetails: resource },
  ];
}

/** How a task attempt ended, or (`submitted`) that a callback task handed its token on. */
export function taskOutcomeEntry(plan: TaskPlan, outcome: TaskOutcome): HistoryEntry {
  const kind = outcome.kind === 'timedOut' ? 'TimedOut' : capitalized(outcome.kind);
  const details =
    outcome.kind === 'succeeded' || outcome.kind === 'submitted'
      ? executionData('output', outcome.output)
      : { error: outcome.error, cause: outcome.cause };
  if (plan.target.kind === 'lambda-function') {
    return { type: `LambdaFunction${kind}`, [`lambdaFunction${kind}EventDetails`]: details };
  }
  return { type: `Task${kind}`, [`task${kind}EventDetails`]: { ...integrationOf(plan), ...details } };
}

/** Whether a task's error is a timeout (TaskTimedOut) rather than a failure (TaskFailed). */
export const isTimeout = (error: string): boolean =>
  error === 'States.Timeout' || error === 'States.HeartbeatTimeout';

/** `arn:aws:states:::dynamodb:putItem` is resource type `dynamodb`, resource `putItem`. */
function integrationOf(plan: TaskPlan): { resourceType: string; resource: string } {
  const [resourceType = '', resource = ''] = plan.resource.replace(/^arn:[\w-]+:states:::/, '').split(':');
  return { resourceType, resource };
}

const capitalized = (word: string) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
