import type { ActivityFeed } from '../activity/activity-feed.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import type { ExecutionHistoryEvent, SubjectDetails } from './page-types.ts';

/**
 * One subject's details for the page: the log lines the feed kept for it, and the workflow
 * execution its id names (an application names an execution after what it works on, so that a
 * second start of it is refused), with its history as the console would show it.
 */
export async function subjectDetails(
  subjectId: string,
  options: {
    feed: ActivityFeed;
    stepFunctions: StepFunctionsService;
    subjects: readonly { name: string; pattern: RegExp }[];
  },
): Promise<SubjectDetails> {
  const { stepFunctions } = options;
  const subject = options.subjects.find(({ pattern }) => pattern.test(subjectId))?.name;
  const execution = stepFunctions.listExecutions().find((candidate) => candidate.name === subjectId);
  return {
    subjectId,
    ...(subject ? { subject } : {}),
    logs: options.feed.logsFor(subjectId),
    ...(execution
      ? {
          execution: {
            stateMachine: execution.stateMachineArn.split(':').at(-1) ?? execution.stateMachineArn,
            status: execution.status,
            history: await executionHistory(stepFunctions.endpoint, execution.executionArn),
          },
        }
      : {}),
  };
}

/** GetExecutionHistory through the local Step Functions endpoint, as the console would read it. */
async function executionHistory(endpoint: string, executionArn: string): Promise<ExecutionHistoryEvent[]> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AWSStepFunctions.GetExecutionHistory',
    },
    body: JSON.stringify({ executionArn, maxResults: 1000 }),
  });
  if (!response.ok)
    throw new Error(`GetExecutionHistory answered ${response.status}: ${await response.text()}`);
  const { events } = (await response.json()) as { events: Record<string, unknown>[] };
  return events.map((event) => {
    const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1] as
      | Record<string, unknown>
      | undefined;
    return {
      id: Number(event.id),
      timestamp: new Date(Number(event.timestamp) * 1000).toISOString(),
      type: String(event.type),
      ...(typeof details?.name === 'string' ? { name: details.name } : {}),
      ...(typeof details?.error === 'string' ? { error: details.error } : {}),
      ...(typeof details?.cause === 'string' ? { cause: details.cause } : {}),
    };
  });
}
