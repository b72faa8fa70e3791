import type { Listeners } from '../kit/listeners.ts';
import type { ServiceLog } from '../kit/service-log.ts';
import type { EventLog, ExecutionHooks, ExecutionRecord, ExecutionStatus } from './execution.ts';
import type { ExecutionJournal } from './execution-journal.ts';
import type { HistoryEvent } from './history.ts';

/**
 * What is kept and told of the executions as they run: their starts, history events, top-level
 * state entries and ends in the journal (under `--persist`), their starts and ends in the log,
 * under the state machine's name, and every state event to the live view's listeners.
 */
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

type StateEventType = Extract<StepFunctionsEvent, { kind: 'state' }>['type'];
const STATE_EVENTS = new Set<string>([
  'StateEntered',
  'StateExited',
  'StateFailed',
  'StateRetried',
  'StateCaught',
]);

export interface ExecutionObserverOptions {
  journal?: ExecutionJournal | undefined;
  listeners: Listeners<StepFunctionsEvent>;
  log: ServiceLog;
  /** Only top-level states are journaled: an execution resumes at one of them. */
  isTopLevelState(stateMachineArn: string, stateName: string): boolean;
  /**
   * Executions the local cloud's stop aborts are not ended in the journal, nor is their abort in
   * their history: they resume at the next start, where their history goes on.
   */
  isStopping(): boolean;
}

export class ExecutionObserver implements ExecutionHooks {
  readonly #options: ExecutionObserverOptions;

  constructor(options: ExecutionObserverOptions) {
    this.#options = options;
  }

  started(record: ExecutionRecord): void {
    const { executionArn, stateMachineArn, name, input, startDate } = record;
    this.#options.journal?.started({
      executionArn,
      stateMachineArn,
      name,
      input,
      startDate: startDate.toISOString(),
    });
    this.#logOf(record).info(`Execution ${name} started`, { executionArn });
    this.#options.listeners.emit({ ...sourceOf(record, startDate), kind: 'execution', status: 'RUNNING' });
  }

  resumed(record: ExecutionRecord, stateName: string | undefined): void {
    this.#logOf(record).info(
      `Execution ${record.name} resumed after a restart, at ${stateName ?? 'its start'}`,
      { executionArn: record.executionArn },
    );
  }

  onEvent(record: ExecutionRecord, event: EventLog): void {
    if (!STATE_EVENTS.has(event.type) || !('state' in event)) return;
    const { journal, isTopLevelState } = this.#options;
    if (
      journal &&
      event.type === 'StateEntered' &&
      isTopLevelState(record.stateMachineArn, event.state.name)
    ) {
      journal.entered(record.executionArn, {
        stateName: event.state.name,
        input: JSON.stringify(event.state.input ?? null),
      });
    }
    this.#options.listeners.emit({
      ...sourceOf(record, new Date(event.timestamp)),
      kind: 'state',
      type: event.type as StateEventType,
      stateName: event.state.name,
      stateType: event.state.type,
      ...(event.state.input === undefined ? {} : { input: event.state.input }),
      ...(event.state.output === undefined ? {} : { output: event.state.output }),
      ...('Error' in event ? { error: event.Error, cause: String(event.Cause) } : {}),
    });
  }

  onHistoryEvent(record: ExecutionRecord, event: HistoryEvent): void {
    if (event.type === 'ExecutionAborted' && this.#options.isStopping()) return;
    this.#options.journal?.recorded(record.executionArn, event);
  }

  onEnd(record: ExecutionRecord): void {
    if (!(this.#options.isStopping() && record.status === 'ABORTED')) {
      const { stopDate, output, error, cause } = record;
      this.#options.journal?.ended(record.executionArn, record.status, {
        stopDate: stopDate?.toISOString(),
        output,
        error,
        cause,
      });
    }
    this.#logEnd(record);
    this.#options.listeners.emit({
      ...sourceOf(record, record.stopDate),
      kind: 'execution',
      status: record.status,
      ...(record.error === undefined ? {} : { error: record.error }),
      ...(record.cause === undefined ? {} : { cause: record.cause }),
    });
  }

  #logEnd(record: ExecutionRecord): void {
    const log = this.#logOf(record);
    const fields = { executionArn: record.executionArn, status: record.status, error: record.error };
    if (record.status === 'SUCCEEDED') log.info(`Execution ${record.name} succeeded`, fields);
    else if (record.status === 'ABORTED') log.warn(`Execution ${record.name} was aborted`, fields);
    else {
      const reason = [record.error, record.cause].filter(Boolean).join(': ');
      log.error(`Execution ${record.name} ${record.status}: ${reason}`, fields);
    }
  }

  /** Under the state machine's name, with the correlation id of the input (the app's workflows carry one). */
  #logOf(record: ExecutionRecord): ServiceLog {
    return this.#options.log.with({
      source: record.stateMachineName,
      correlationId: correlationOf(record.input),
    });
  }
}

function sourceOf(record: ExecutionRecord, time = new Date()): EventSource {
  return {
    time: time.toISOString(),
    executionArn: record.executionArn,
    executionName: record.name,
    stateMachineArn: record.stateMachineArn,
    stateMachineName: record.stateMachineName,
  };
}

function correlationOf(input: string): string | undefined {
  const parsed = JSON.parse(input) as unknown;
  const correlationId =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as { correlationId?: unknown }).correlationId
      : undefined;
  return typeof correlationId === 'string' ? correlationId : undefined;
}
