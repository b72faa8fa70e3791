import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker, LocalService, LogEntry, LogSink } from '../contracts.ts';
import { startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { apiActions, executionSummary, isJson, MAX_PAYLOAD_CHARS } from './api-actions.ts';
import { prepareDefinition } from './definition.ts';
import { StepFunctionsApiError, UnsupportedDefinitionError } from './errors.ts';
import {
  type EventLog,
  type ExecutionRecord,
  type ExecutionStatus,
  type LocalStateMachine,
  launchExecution,
} from './execution.ts';
import { ExecutionJournal } from './execution-journal.ts';
import type { PutEvents, TaskServices } from './task-handlers.ts';
import { TaskTokens } from './task-tokens.ts';

export { StepFunctionsApiError, UnsupportedDefinitionError } from './errors.ts';
export type { ExecutionStatus } from './execution.ts';
export type { PutEvents, PutEventsEntry, PutEventsResult } from './task-handlers.ts';

/**
 * The local Step Functions: the state machines of the app run on aws-local-stepfunctions, behind
 * an endpoint that speaks the Step Functions API (AWS JSON 1.0) to the real AWS SDK.
 */
export interface StateMachineSource {
  arn: string;
  name: string;
  /** The parsed ASL definition (CloudFormation intrinsics already resolved). */
  definition: unknown;
}

export interface StepFunctionsServiceOptions {
  stateMachines: StateMachineSource[];
  invoker: LambdaInvoker;
  /** The local function a Lambda ARN (or name) designates; undefined when there is none. */
  functionNameFromArn(arn: string): string | undefined;
  /** Real SDK clients pointed at the local emulators. */
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  /** The local EventBridge's PutEvents. */
  putEvents: PutEvents;
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

interface EventSource {
  time: string;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
}

/** What a live view follows: executions starting and ending, and their states. */
export type StepFunctionsEvent =
  | (EventSource & { kind: 'execution'; status: ExecutionStatus; error?: string; cause?: string })
  | (EventSource & {
      kind: 'state';
      type: 'StateEntered' | 'StateExited' | 'StateFailed' | 'StateRetried' | 'StateCaught';
      stateName: string;
      stateType: string;
      input?: unknown;
      output?: unknown;
      error?: string;
      cause?: string;
    });

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
  /** Returns the function that unsubscribes. A listener that throws is logged, never propagated. */
  onEvent(listener: (event: StepFunctionsEvent) => void): () => void;
  /**
   * With `persistDir`: resumes the executions the last run left unfinished (call it once what they
   * invoke is running). Returns how many were resumed.
   */
  resumeInterrupted(): number;
}

const SOURCE = 'stepfunctions';
/**
 * The names of state machines and executions, on AWS: 1 to 80 characters, no whitespace, brackets,
 * wildcards, these punctuation marks or controls.
 */
const RESOURCE_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const STATE_EVENTS = new Set(['StateEntered', 'StateExited', 'StateFailed', 'StateRetried', 'StateCaught']);

export async function createStepFunctionsService(
  options: StepFunctionsServiceOptions,
): Promise<StepFunctionsService> {
  const retryIntervalScale = scaleOption('retryIntervalScale', options.retryIntervalScale, 0);
  const taskTimeoutScale = scaleOption('taskTimeoutScale', options.taskTimeoutScale, Number.MIN_VALUE);
  const machines = new Map<string, LocalStateMachine>();
  const prepare = (source: StateMachineSource): LocalStateMachine => ({
    arn: source.arn,
    name: source.name,
    prepared: prepareDefinition(source.definition, {
      name: source.name,
      functionNameFromArn: (arn) => options.functionNameFromArn(arn),
      retryIntervalScale,
      taskTimeoutScale,
    }),
  });
  for (const source of options.stateMachines) {
    if (machines.has(source.arn)) throw new Error(`State machine ${source.arn} is given twice`);
    machines.set(source.arn, prepare(source));
  }
  /** The definition text and role each CreateStateMachine was given, for its idempotency check. */
  const created = new Map<string, { definition: string; roleArn: string; creationDate: Date }>();

  const tokens = new TaskTokens();
  const executions = new Map<string, ExecutionRecord>();
  const listeners = new Set<(event: StepFunctionsEvent) => void>();
  const services: TaskServices = {
    invoker: options.invoker,
    functionNameFromArn: (arn) => options.functionNameFromArn(arn),
    clients: options.clients,
    putEvents: options.putEvents,
    tokens,
  };
  let stopped = false;
  const persisted = options.persistDir ? ExecutionJournal.open(options.persistDir) : undefined;
  const journal = persisted?.journal;
  const endedBeforeRestart = new Set(persisted?.ended);

  const log = (entry: Omit<LogEntry, 'time'>): void => {
    try {
      options.log({ ...entry, time: new Date().toISOString() });
    } catch {
      // A failing log sink must not take an execution down with it.
    }
  };
  const emit = (event: StepFunctionsEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log({
          source: SOURCE,
          level: 'WARN',
          message: `An onEvent listener failed: ${(error as Error).message}`,
        });
      }
    }
  };
  const sourceOf = (record: ExecutionRecord, time = new Date()): EventSource => ({
    time: time.toISOString(),
    executionArn: record.executionArn,
    executionName: record.name,
    stateMachineArn: record.stateMachineArn,
    stateMachineName: record.stateMachineName,
  });

  const logEnd = (record: ExecutionRecord): void => {
    const fields = { executionArn: record.executionArn, status: record.status, error: record.error };
    const base = { source: record.stateMachineName, fields, ...correlationOf(record.input) };
    if (record.status === 'SUCCEEDED') {
      log({ ...base, level: 'INFO', message: `Execution ${record.name} succeeded` });
    } else if (record.status === 'ABORTED') {
      log({ ...base, level: 'WARN', message: `Execution ${record.name} was aborted` });
    } else {
      const reason = [record.error, record.cause].filter(Boolean).join(': ');
      log({ ...base, level: 'ERROR', message: `Execution ${record.name} ${record.status}: ${reason}` });
    }
  };

  const hooks = {
    onEvent(record: ExecutionRecord, event: EventLog) {
      if (!STATE_EVENTS.has(event.type) || !('state' in event)) return;
      if (journal && event.type === 'StateEntered' && isTopLevelState(record, event.state.name)) {
        journal.entered(record.executionArn, {
          stateName: event.state.name,
          input: JSON.stringify(event.state.input ?? null),
        });
      }
      emit({
        ...sourceOf(record, new Date(event.timestamp)),
        kind: 'state',
        type: event.type as Extract<StepFunctionsEvent, { kind: 'state' }>['type'],
        stateName: event.state.name,
        stateType: event.state.type,
        ...(event.state.input === undefined ? {} : { input: event.state.input }),
        ...(event.state.output === undefined ? {} : { output: event.state.output }),
        ...('Error' in event ? { error: event.Error, cause: String(event.Cause) } : {}),
      });
    },
    onEnd(record: ExecutionRecord) {
      // Stopping the local cloud aborts what runs: with --persist, those resume on the next start.
      if (!(stopped && record.status === 'ABORTED')) journal?.ended(record.executionArn, record.status);
      logEnd(record);
      emit({
        ...sourceOf(record, record.stopDate),
        kind: 'execution',
        status: record.status,
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
      });
    },
  };

  const machineOf = (stateMachineArn: unknown): LocalStateMachine => {
    const machine = typeof stateMachineArn === 'string' ? machines.get(stateMachineArn) : undefined;
    if (machine) return machine;
    if (typeof stateMachineArn !== 'string' || !stateMachineArn.startsWith('arn:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(stateMachineArn)}'`);
    }
    throw new StepFunctionsApiError(
      'StateMachineDoesNotExist',
      `State Machine Does Not Exist: '${stateMachineArn}'`,
    );
  };

  const executionOf = (executionArn: unknown): ExecutionRecord => {
    const record = typeof executionArn === 'string' ? executions.get(executionArn) : undefined;
    if (record) return record;
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(executionArn)}'`);
    }
    throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  };

  const start = (stateMachineArn: unknown, name: unknown, input: unknown) => {
    if (stopped) {
      throw new StepFunctionsApiError('ServiceUnavailable', 'The local Step Functions has stopped', 503);
    }
    const machine = machineOf(stateMachineArn);
    const executionName = name ?? randomUUID();
    if (typeof executionName !== 'string' || !RESOURCE_NAME.test(executionName)) {
      throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${String(executionName)}'`);
    }
    const inputText = input ?? '{}';
    if (typeof inputText !== 'string' || inputText.length > MAX_PAYLOAD_CHARS || !isJson(inputText)) {
      throw new StepFunctionsApiError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not JSON',
      );
    }
    const executionArn = executionArnOf(machine, executionName, options);
    const existing = executions.get(executionArn);
    if (!existing && endedBeforeRestart.has(executionArn)) {
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    if (existing) {
      // As on AWS: the same start while it runs is the same execution; anything else is refused.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const record = launchExecution(
      machine,
      { executionArn, name: executionName, input: inputText, roleArn: roleArnOf(machine) },
      services,
      hooks,
    );
    executions.set(executionArn, record);
    journal?.started({
      executionArn,
      stateMachineArn: machine.arn,
      name: executionName,
      input: inputText,
      startDate: record.startDate.toISOString(),
    });
    log({
      source: machine.name,
      level: 'INFO',
      message: `Execution ${executionName} started`,
      fields: { executionArn },
      ...correlationOf(inputText),
    });
    emit({ ...sourceOf(record, record.startDate), kind: 'execution', status: 'RUNNING' });
    return { executionArn, startDate: record.startDate };
  };

  /** The role CreateStateMachine was given; the template's state machines get a local stand-in. */
  const roleArnOf = (machine: LocalStateMachine): string =>
    created.get(machine.arn)?.roleArn ?? `arn:aws:iam::${options.accountId}:role/${machine.name}-local`;

  /** CreateStateMachine, as AWS answers it: idempotent for the same name, definition and type. */
  const createStateMachine = (input: Record<string, unknown>) => {
    const { name, definition, roleArn } = input;
    if (typeof name !== 'string' || !RESOURCE_NAME.test(name)) {
      throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${String(name)}'`);
    }
    if (typeof roleArn !== 'string' || !roleArn.startsWith('arn:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(roleArn)}'`);
    }
    if (input.type !== undefined && input.type !== 'STANDARD') {
      throw new StepFunctionsApiError(
        'ValidationException',
        `The local Step Functions runs STANDARD state machines only, not ${String(input.type)}`,
      );
    }
    if (typeof definition !== 'string' || !isJson(definition)) {
      throw new StepFunctionsApiError(
        'InvalidDefinition',
        'Invalid State Machine Definition: the definition must be JSON text',
      );
    }
    const arn = `arn:aws:states:${options.region}:${options.accountId}:stateMachine:${name}`;
    const existing = created.get(arn);
    if (existing) {
      if (existing.definition !== definition) {
        throw new StepFunctionsApiError(
          'StateMachineAlreadyExists',
          `State Machine Already Exists: '${arn}'`,
        );
      }
      return { stateMachineArn: arn, creationDate: existing.creationDate };
    }
    let machine: LocalStateMachine;
    try {
      machine = prepare({ arn, name, definition: JSON.parse(definition) });
    } catch (error) {
      if (!(error instanceof UnsupportedDefinitionError)) throw error;
      throw new StepFunctionsApiError(
        'InvalidDefinition',
        `Invalid State Machine Definition: ${error.message}`,
      );
    }
    const creationDate = new Date();
    machines.set(arn, machine);
    created.set(arn, { definition, roleArn, creationDate });
    log({ source: SOURCE, level: 'INFO', message: `State machine ${name} created`, fields: { arn } });
    return { stateMachineArn: arn, creationDate };
  };

  const isTopLevelState = (record: ExecutionRecord, stateName: string): boolean => {
    const states = (machines.get(record.stateMachineArn)?.prepared.definition as { States?: object })?.States;
    return states !== undefined && Object.hasOwn(states, stateName);
  };

  /** Runs once the functions and queues the executions call are up. */
  const resumeInterrupted = (): number => {
    const unfinished = persisted?.unfinished.splice(0) ?? [];
    for (const execution of unfinished) {
      const machine = machines.get(execution.stateMachineArn);
      if (!machine) {
        log({
          source: SOURCE,
          level: 'WARN',
          message: `Execution ${execution.name} of a state machine that no longer exists is not resumed`,
          fields: { executionArn: execution.executionArn },
        });
        continue;
      }
      const record = launchExecution(
        machine,
        {
          executionArn: execution.executionArn,
          name: execution.name,
          input: execution.input,
          roleArn: roleArnOf(machine),
          resumeAt: execution.resumeAt,
        },
        services,
        hooks,
      );
      executions.set(execution.executionArn, record);
      log({
        source: machine.name,
        level: 'INFO',
        message: `Execution ${execution.name} resumed after a restart, at ${execution.resumeAt?.stateName ?? 'its start'}`,
        fields: { executionArn: execution.executionArn },
        ...correlationOf(execution.input),
      });
    }
    return unfinished.length;
  };

  const actions = apiActions({
    start,
    machine: machineOf,
    execution: executionOf,
    executionsOf: (stateMachineArn) =>
      [...executions.values()].filter((record) => record.stateMachineArn === stateMachineArn).reverse(),
    tokens,
  });
  if (options.acceptsResourceChanges) actions.CreateStateMachine = createStateMachine;

  const server = await startJsonProtocolServer({
    targetPrefix: 'AWSStepFunctions',
    serviceName: 'Step Functions',
    protocolVersion: '1.0',
    port: options.port ?? 0,
    actions,
    onInternalError(error) {
      log({
        source: SOURCE,
        level: 'ERROR',
        message: `Request failed: ${(error as Error).stack ?? String(error)}`,
      });
    },
  });

  return {
    endpoint: server.endpoint,
    async startExecution(stateMachineArn, name, input) {
      return start(stateMachineArn, name, JSON.stringify(input ?? null));
    },
    describeExecution(executionArn) {
      const record = executions.get(executionArn);
      return record && describe(record);
    },
    listExecutions(stateMachineArn) {
      return [...executions.values()]
        .filter((record) => stateMachineArn === undefined || record.stateMachineArn === stateMachineArn)
        .reverse()
        .map(describe);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resumeInterrupted,
    async stop() {
      if (stopped) return;
      stopped = true;
      const running = [...executions.values()].filter((record) => record.status === 'RUNNING');
      for (const record of running) record.stop(undefined, 'The local cloud stopped');
      await Promise.all(running.map((record) => record.ended));
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

/** `arn:aws:states:<region>:<account>:execution:<state machine>:<execution>`, as AWS builds it. */
function executionArnOf(
  machine: LocalStateMachine,
  name: string,
  options: Pick<StepFunctionsServiceOptions, 'region' | 'accountId'>,
): string {
  if (machine.arn.includes(':stateMachine:')) {
    return `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
  return `arn:aws:states:${options.region}:${options.accountId}:execution:${machine.name}:${name}`;
}

function scaleOption(name: string, value: number | undefined, minimum: number): number {
  if (value === undefined) return 1;
  if (!Number.isFinite(value) || value < minimum) {
    throw new Error(`${name} must be a finite number ${minimum === 0 ? 'of at least 0' : 'above 0'}`);
  }
  return value;
}

/** The input's correlationId, when it carries one (the app's workflows do), for the log. */
function correlationOf(input: string): { correlationId?: string } {
  const parsed = JSON.parse(input) as unknown;
  const correlationId =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { correlationId?: unknown }).correlationId
      : undefined;
  return typeof correlationId === 'string' ? { correlationId } : {};
}
