import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker, LocalService, LogSink } from '../contracts.ts';
import { startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { Listeners } from '../kit/listeners.ts';
import { describeError, serviceLog } from '../kit/service-log.ts';
import { apiActions, executionSummary } from './api-actions.ts';
import type { ExecutionRecord, ExecutionStatus } from './execution.ts';
import { ExecutionJournal } from './execution-journal.ts';
import { ExecutionObserver, type StepFunctionsEvent } from './execution-observer.ts';
import { Executions } from './executions.ts';
import { type StateMachineSource, StateMachines } from './state-machines.ts';
import type { PutEvents, TaskAuthorizer, TaskServices } from './task-handlers.ts';
import { TaskTokens } from './task-tokens.ts';
import { testState } from './test-state.ts';

export { StepFunctionsApiError, UnsupportedDefinitionError } from './errors.ts';
export type { ExecutionStatus } from './execution.ts';
export type { StepFunctionsEvent } from './execution-observer.ts';
export type {
  StateMachineDescription,
  StateMachineListItem,
  StateMachineSource,
} from './state-machines.ts';
export type {
  PutEvents,
  PutEventsEntry,
  PutEventsResult,
  TaskAuthorizer,
  TaskCall,
} from './task-handlers.ts';

/**
 * The local Step Functions: the state machines of the app run on aws-local-stepfunctions, behind
 * an endpoint that speaks the Step Functions API (AWS JSON 1.0) to the real AWS SDK.
 */
export interface StepFunctionsServiceOptions {
  stateMachines: StateMachineSource[];
  invoker: LambdaInvoker;
  /** The local function a Lambda ARN (or name) designates; undefined when there is none. */
  functionNameFromArn(arn: string): string | undefined;
  /** Real SDK clients pointed at the local emulators. */
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  /** The local EventBridge's PutEvents. */
  putEvents: PutEvents;
  /** Checks the tasks' calls against their state machine's role (IAM); absent, none is checked. */
  authorize?: TaskAuthorizer;
  log: LogSink;
  region: string;
  accountId: string;
  /**
   * Local speed-up: multiplies every retrier's IntervalSeconds and MaxDelaySeconds (0.01 turns
   * 1 s into 10 ms). MaxAttempts, BackoffRate and JitterStrategy are kept. Default 1.
   */
  retryIntervalScale?: number;
  /** Local speed-up: multiplies TimeoutSeconds and HeartbeatSeconds of `.waitForTaskToken` tasks. Default 1. */
  taskTimeoutScale?: number;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  port?: number;
  /**
   * Keeps executions in this folder across restarts (`--persist`): the ones a restart interrupted
   * resume at the last state they entered, and the names of those that had ended stay taken
   * (see execution-journal.ts).
   */
  persistDir?: string;
  /**
   * Also serve CreateStateMachine, so that each test file sets up its own state machine with the real
   * client. The local cloud leaves this off: its state machines are the template's.
   */
  acceptsResourceChanges?: boolean;
}

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  /** JSON text, as DescribeExecution returns them. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface StepFunctionsService extends LocalService {
  /** `input` is the execution's input as a JSON value; `name` defaults to a UUID, as on AWS. */
  startExecution(
    stateMachineArn: string,
    name: string | undefined,
    input: unknown,
  ): Promise<{ executionArn: string; startDate: Date }>;
  describeExecution(executionArn: string): ExecutionDescription | undefined;
  /** Newest first, as ListExecutions returns them. */
  listExecutions(stateMachineArn?: string): ExecutionDescription[];
  /** The state machine whose execution a task token was issued to, while the token is known. */
  stateMachineOfTaskToken(token: string): string | undefined;
  /** Returns the function that unsubscribes. A listener that throws is logged, never propagated. */
  onEvent(listener: (event: StepFunctionsEvent) => void): () => void;
  /**
   * With `persistDir`: resumes the executions the last run left unfinished (call it once what they
   * invoke is running). Returns how many were resumed.
   */
  resumeInterrupted(): number;
}

export async function createStepFunctionsService(
  options: StepFunctionsServiceOptions,
): Promise<StepFunctionsService> {
  const log = serviceLog(options.log, 'stepfunctions');
  const machines = new StateMachines(options.stateMachines, { ...options, log });
  const tokens = new TaskTokens();
  const listeners = new Listeners<StepFunctionsEvent>((error) =>
    log.warn(`An onEvent listener failed: ${describeError(error)}`),
  );
  const persisted = options.persistDir ? ExecutionJournal.open(options.persistDir) : undefined;
  const services: TaskServices = {
    invoker: options.invoker,
    functionNameFromArn: (arn) => options.functionNameFromArn(arn),
    clients: options.clients,
    putEvents: options.putEvents,
    tokens,
    ...(options.authorize ? { authorize: options.authorize } : {}),
  };
  const executions: Executions = new Executions({
    machines,
    services,
    observer: new ExecutionObserver({
      journal: persisted?.journal,
      listeners,
      log,
      isTopLevelState: (stateMachineArn, stateName) => machines.isTopLevelState(stateMachineArn, stateName),
      isStopping: () => executions.stopped,
    }),
    persisted,
    region: options.region,
    accountId: options.accountId,
    log,
  });

  const actions = apiActions({
    start: (stateMachineArn, name, input) => executions.start(stateMachineArn, name, input),
    machine: (stateMachineArn) => machines.get(stateMachineArn),
    describeMachine: (stateMachineArn) => machines.describe(stateMachineArn),
    machines: () => machines.list(),
    execution: (executionArn) => executions.get(executionArn),
    executionsOf: (stateMachineArn) => executions.list(stateMachineArn),
    tokens,
    testState: (input) =>
      testState(input, { services, region: options.region, accountId: options.accountId }),
  });
  if (options.acceptsResourceChanges) actions.CreateStateMachine = (input) => machines.create(input);
  const server = await startJsonProtocolServer({
    targetPrefix: 'AWSStepFunctions',
    serviceName: 'Step Functions',
    protocolVersion: '1.0',
    port: options.port,
    actions,
    log,
  });

  return {
    endpoint: server.endpoint,
    async startExecution(stateMachineArn, name, input) {
      return executions.start(stateMachineArn, name, JSON.stringify(input ?? null));
    },
    describeExecution(executionArn) {
      const record = executions.find(executionArn);
      return record && describe(record);
    },
    listExecutions: (stateMachineArn) => executions.list(stateMachineArn).map(describe),
    stateMachineOfTaskToken(token) {
      // `...:execution:<machine>:<name>` names its machine `...:stateMachine:<machine>`.
      const executionArn = tokens.executionOf(token);
      return executionArn?.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '');
    },
    onEvent: (listener) => listeners.add(listener),
    resumeInterrupted: () => executions.resumeInterrupted(),
    async stop() {
      if (executions.stopped) return;
      await executions.stop();
      tokens.stop();
      listeners.clear();
      await server.close();
    },
  };
}

function describe(record: ExecutionRecord): ExecutionDescription {
  return {
    ...executionSummary(record),
    input: record.input,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.cause === undefined ? {} : { cause: record.cause }),
  };
}
