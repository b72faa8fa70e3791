import type { ApiAction } from '../kit/json-protocol-server.ts';
import { StepFunctionsApiError } from './errors.ts';
import type { ExecutionRecord, LocalStateMachine } from './execution.ts';
import type { StateMachineDescription, StateMachineListItem } from './state-machines.ts';
import type { TaskTokens } from './task-tokens.ts';

export interface ApiState {
  /** Starts (or finds, for an identical repeat) an execution; `input` is JSON text. */
  start(stateMachineArn: unknown, name: unknown, input: unknown): { executionArn: string; startDate: Date };
  machine(stateMachineArn: unknown): LocalStateMachine;
  /** DescribeStateMachine's answer, or the error AWS gives for the ARN. */
  describeMachine(stateMachineArn: unknown): StateMachineDescription;
  /** Every state machine, oldest first. */
  machines(): StateMachineListItem[];
  execution(executionArn: unknown): ExecutionRecord;
  /** Newest first. */
  executionsOf(stateMachineArn: string): ExecutionRecord[];
  tokens: TaskTokens;
  /** TestState's answer (test-state.ts). */
  testState(input: Record<string, unknown>): Promise<unknown>;
}

/** AWS's limit on an execution's input and a task's output. */
export const MAX_PAYLOAD_CHARS = 262_144;

/**
 * The Step Functions API actions the local endpoint serves, with AWS's inputs, outputs and error
 * codes. Everything else is answered UnknownOperationException.
 */
export function apiActions(state: ApiState): Record<string, ApiAction> {
  return {
    StartExecution: (input) => state.start(input.stateMachineArn, input.name, input.input),

    DescribeExecution: (input) => {
      const record = state.execution(input.executionArn);
      return {
        ...executionSummary(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    DescribeStateMachine: (input) => state.describeMachine(input.stateMachineArn),

    ListStateMachines: (input) => {
      const { items, nextToken } = page(state.machines(), input.maxResults, input.nextToken);
      return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
    },

    ListExecutions: (input) => {
      const { arn } = state.machine(input.stateMachineArn);
      const listed = state
        .executionsOf(arn)
        .filter((record) => input.statusFilter === undefined || record.status === input.statusFilter);
      const { items, nextToken } = page(listed, input.maxResults, input.nextToken);
      return { executions: items.map(executionSummary), ...(nextToken ? { nextToken } : {}) };
    },

    GetExecutionHistory: (input) => {
      const record = state.execution(input.executionArn);
      const history = record.history.view(input.includeExecutionData !== false);
      if (input.reverseOrder === true) history.reverse();
      const { items, nextToken } = page(history, input.maxResults, input.nextToken);
      return { events: items, ...(nextToken ? { nextToken } : {}) };
    },

    StopExecution: async (input) => {
      const record = state.execution(input.executionArn);
      record.stop(optionalString(input.error), optionalString(input.cause));
      await record.ended;
      return { stopDate: record.stopDate };
    },

    SendTaskSuccess: (input) => {
      const token = taskToken(input);
      const output = input.output;
      if (typeof output !== 'string' || output.length > MAX_PAYLOAD_CHARS || !isJson(output)) {
        throw new StepFunctionsApiError('InvalidOutput', 'Invalid Output: output must be JSON text');
      }
      state.tokens.succeed(token, JSON.parse(output));
      return {};
    },

    SendTaskFailure: (input) => {
      state.tokens.fail(
        taskToken(input),
        optionalString(input.error) ?? '',
        optionalString(input.cause) ?? '',
      );
      return {};
    },

    TestState: (input) => state.testState(input),

    SendTaskHeartbeat: (input) => {
      state.tokens.heartbeat(taskToken(input));
      return {};
    },
  };
}

/** An execution as ListExecutions lists it. */
export function executionSummary(record: ExecutionRecord) {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate } : {}),
  };
}

function taskToken(input: Record<string, unknown>): string {
  const token = input.taskToken;
  if (typeof token !== 'string' || token.length === 0 || token.length > 2048) {
    throw new StepFunctionsApiError('InvalidToken', 'Invalid Token: taskToken must be 1 to 2048 characters');
  }
  return token;
}

/** One page of a listing; the token is the offset of the next page. */
function page<T>(items: T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  let offset = 0;
  if (nextToken !== undefined) {
    offset =
      typeof nextToken === 'string' ? Number(Buffer.from(nextToken, 'base64url').toString()) : Number.NaN;
    if (!Number.isInteger(offset) || offset < 0) {
      throw new StepFunctionsApiError('InvalidToken', 'Invalid nextToken');
    }
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;
