import type { TaskPlan } from './definition.ts';
import type { EventLog, ExecutionRecord } from './execution.ts';

/**
 * GetExecutionHistory's events, from the library's event log. The library logs state entries,
 * exits and failures, retries and catches; AWS names these per state type (`TaskStateEntered`,
 * `TaskFailed`, `MapIterationStarted`...) and has no event for a retry or a catch, so those two are
 * left out, as are the scheduling steps of a task (TaskScheduled, TaskStarted...) that the library
 * does not see.
 */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

export function executionHistory(
  record: ExecutionRecord,
  tasks: Map<string, TaskPlan>,
  includeExecutionData: boolean,
): HistoryEvent[] {
  const data = (field: 'input' | 'output', value: unknown) =>
    includeExecutionData
      ? { [field]: JSON.stringify(value ?? null), [`${field}Details`]: { truncated: false } }
      : {};
  const history: HistoryEvent[] = [];
  for (const event of record.events) {
    const entry = historyEntry(event, record, tasks, data);
    if (!entry) continue;
    const id = history.length + 1;
    history.push({ id, previousEventId: id - 1, timestamp: new Date(event.timestamp), ...entry });
  }
  return history;
}

type Entry = { type: string; [details: string]: unknown };

function historyEntry(
  event: EventLog,
  record: ExecutionRecord,
  tasks: Map<string, TaskPlan>,
  data: (field: 'input' | 'output', value: unknown) => Record<string, unknown>,
): Entry | undefined {
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        executionStartedEventDetails: { ...data('input', event.input), roleArn: record.roleArn },
      };
    case 'ExecutionSucceeded':
      return { type: 'ExecutionSucceeded', executionSucceededEventDetails: data('output', event.output) };
    case 'ExecutionFailed':
      return {
        type: 'ExecutionFailed',
        executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) },
      };
    case 'ExecutionAborted':
      return {
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: record.error, cause: record.cause },
      };
    case 'ExecutionTimeout':
      return { type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } };
    case 'StateEntered':
      return {
        type: `${event.state.type}StateEntered`,
        stateEnteredEventDetails: { name: event.state.name, ...data('input', event.state.input) },
      };
    case 'StateExited':
      return {
        type: `${event.state.type}StateExited`,
        stateExitedEventDetails: { name: event.state.name, ...data('output', event.state.output) },
      };
    case 'StateFailed':
      if (event.state.type === 'Map' || event.state.type === 'Parallel')
        return { type: `${event.state.type}StateFailed` };
      return taskFailure(tasks.get(event.state.name), event.Error, String(event.Cause));
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const detailsField = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
      return { type: event.type, [detailsField]: { name: event.parentState.name, index: event.index } };
    }
    default:
      return undefined;
  }
}

function taskFailure(plan: TaskPlan | undefined, error: string, cause: string): Entry | undefined {
  if (!plan) return undefined;
  const timedOut = error === 'States.Timeout' || error === 'States.HeartbeatTimeout';
  if (plan.target.kind === 'lambda-function') {
    return timedOut
      ? { type: 'LambdaFunctionTimedOut', lambdaFunctionTimedOutEventDetails: { error, cause } }
      : { type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: { error, cause } };
  }
  // `arn:aws:states:::dynamodb:putItem` is resource type `dynamodb`, resource `putItem`.
  const [resourceType = '', resource = ''] = plan.resource.replace(/^arn:[\w-]+:states:::/, '').split(':');
  const details = { resourceType, resource, error, cause };
  return timedOut
    ? { type: 'TaskTimedOut', taskTimedOutEventDetails: details }
    : { type: 'TaskFailed', taskFailedEventDetails: details };
}
