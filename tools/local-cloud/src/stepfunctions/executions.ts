import { randomUUID } from 'node:crypto';
import type { ServiceLog } from '../kit/service-log.ts';
import { isJson, MAX_PAYLOAD_CHARS } from './api-actions.ts';
import { StepFunctionsApiError } from './errors.ts';
import {
  type ExecutionRecord,
  type ExecutionStatus,
  type LocalStateMachine,
  launchExecution,
  type Resumption,
} from './execution.ts';
import type { EndedExecution, JournaledExecution } from './execution-journal.ts';
import type { ExecutionObserver } from './execution-observer.ts';
import { ExecutionHistory } from './history.ts';
import { RESOURCE_NAME, type StateMachines } from './state-machines.ts';
import type { TaskServices } from './task-handlers.ts';

/**
 * The executions of the local Step Functions: started as StartExecution starts them (a repeat of a
 * running one is that execution, any other reuse of a name is refused), resumed after a restart
 * with their start date and history, kept after they end (across restarts too), and all stopped
 * with the service.
 */
/** How long the local cloud's stop waits for a task call in flight: a longer one is cut short. */
const DRAIN_MS = 10_000;

export interface ExecutionsOptions {
  machines: StateMachines;
  services: TaskServices;
  observer: ExecutionObserver;
  /** What the journal of the last runs left: the executions to resume and those that had ended. */
  persisted?: { unfinished: JournaledExecution[]; ended: EndedExecution[] } | undefined;
  region: string;
  accountId: string;
  log: ServiceLog;
}

export class Executions {
  readonly #records = new Map<string, ExecutionRecord>();
  readonly #options: ExecutionsOptions;
  readonly #unfinished: JournaledExecution[];
  #stopped = false;

  constructor(options: ExecutionsOptions) {
    this.#options = options;
    this.#unfinished = [...(options.persisted?.unfinished ?? [])];
    for (const execution of options.persisted?.ended ?? []) {
      this.#records.set(execution.executionArn, this.#endedRecord(execution));
    }
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** StartExecution: `input` is JSON text, `name` defaults to a UUID. */
  start(stateMachineArn: unknown, name: unknown, input: unknown): { executionArn: string; startDate: Date } {
    if (this.#stopped) {
      throw new StepFunctionsApiError('ServiceUnavailable', 'The local Step Functions has stopped', 503);
    }
    const machine = this.#options.machines.get(stateMachineArn);
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
    const executionArn = this.#executionArnOf(machine, executionName);
    const existing = this.#records.get(executionArn) ?? this.#awaitingResume(executionArn);
    // As on AWS: the same start while it runs is the same execution; anything else is refused.
    if (existing?.status === 'RUNNING' && existing.input === inputText) {
      return { executionArn, startDate: existing.startDate };
    }
    if (existing) {
      throw new StepFunctionsApiError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${executionArn}'`,
      );
    }
    const record = this.#launch(machine, { executionArn, name: executionName, input: inputText });
    this.#options.observer.started(record);
    return { executionArn, startDate: record.startDate };
  }

  /** The execution an API call names, or the error AWS answers for it. */
  get(executionArn: unknown): ExecutionRecord {
    const record = typeof executionArn === 'string' ? this.#records.get(executionArn) : undefined;
    if (record) return record;
    if (typeof executionArn !== 'string' || !executionArn.startsWith('arn:')) {
      throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(executionArn)}'`);
    }
    throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
  }

  find(executionArn: string): ExecutionRecord | undefined {
    return this.#records.get(executionArn);
  }

  /** Newest first, as ListExecutions lists them; all state machines' when none is named. */
  list(stateMachineArn?: string): ExecutionRecord[] {
    return [...this.#records.values()]
      .filter((record) => stateMachineArn === undefined || record.stateMachineArn === stateMachineArn)
      .reverse()
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  /** Resumes what the last run left unfinished, once; returns how many were resumed. */
  resumeInterrupted(): number {
    const unfinished = this.#unfinished.splice(0);
    for (const execution of unfinished) {
      const machine = this.#options.machines.find(execution.stateMachineArn);
      if (!machine) {
        this.#options.log.warn(
          `Execution ${execution.name} of a state machine that no longer exists is not resumed`,
          { executionArn: execution.executionArn },
        );
        continue;
      }
      const { resumeAt, startDate, events } = execution;
      const record = this.#launch(machine, execution, {
        at: resumeAt,
        startDate: new Date(startDate),
        history: events,
      });
      this.#options.observer.resumed(record, resumeAt?.stateName);
    }
    return unfinished.length;
  }

  /** An execution the last run left to resume: it runs, even before it is resumed. */
  #awaitingResume(executionArn: string): Pick<ExecutionRecord, 'status' | 'input' | 'startDate'> | undefined {
    const execution = this.#unfinished.find((unfinished) => unfinished.executionArn === executionArn);
    return (
      execution && { status: 'RUNNING', input: execution.input, startDate: new Date(execution.startDate) }
    );
  }

  /**
   * Aborts what runs, once its task calls in flight have answered, and waits for it to end; no
   * execution starts afterwards.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const running = [...this.#records.values()].filter((record) => record.status === 'RUNNING');
    await Promise.all(running.map((record) => record.interrupt(DRAIN_MS)));
  }

  #launch(
    machine: LocalStateMachine,
    execution: Pick<JournaledExecution, 'executionArn' | 'name' | 'input'>,
    resumed?: Resumption,
  ): ExecutionRecord {
    const { machines, services, observer, region } = this.#options;
    const { executionArn, name, input } = execution;
    const record = launchExecution(
      machine,
      { executionArn, name, input, roleArn: machines.roleArnOf(machine), region, resumed },
      services,
      observer,
    );
    this.#records.set(execution.executionArn, record);
    return record;
  }

  /** An execution a previous run ended: described, listed and its history read as it was left. */
  #endedRecord(execution: EndedExecution): ExecutionRecord {
    const machine = this.#options.machines.find(execution.stateMachineArn);
    const { executionArn, stateMachineArn, name, input, status, stopDate, output, error, cause } = execution;
    return {
      executionArn,
      stateMachineArn,
      stateMachineName: machine?.name ?? stateMachineArn.split(':').at(-1) ?? stateMachineArn,
      name,
      input,
      roleArn: machine ? this.#options.machines.roleArnOf(machine) : '',
      startDate: new Date(execution.startDate),
      status: status as ExecutionStatus,
      ...(stopDate === undefined ? {} : { stopDate: new Date(stopDate) }),
      ...(output === undefined ? {} : { output }),
      ...(error === undefined ? {} : { error }),
      ...(cause === undefined ? {} : { cause }),
      history: new ExecutionHistory(execution.events),
      stop: () => undefined,
      interrupt: async () => undefined,
      ended: Promise.resolve(),
    };
  }

  /** `arn:aws:states:<region>:<account>:execution:<state machine>:<execution>`, as AWS builds it. */
  #executionArnOf(machine: LocalStateMachine, name: string): string {
    if (machine.arn.includes(':stateMachine:')) {
      return `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    }
    const { region, accountId } = this.#options;
    return `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
  }
}
