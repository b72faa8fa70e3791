import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { pointContextPaths } from './context-paths.ts';
import {
  CATCHER_FIELDS,
  CHOICE_RULE_FIELDS,
  COMMON_FIELDS,
  fieldProblems,
  MACHINE_FIELDS,
  NESTED_MACHINE_FIELDS,
  RETRIER_FIELDS,
  STATE_FIELDS,
} from './definition-fields.ts';
import { UnsupportedDefinitionError } from './errors.ts';
import { type TaskTarget, taskTarget, waitsForTaskToken } from './task-resources.ts';

/**
 * Turns a state machine definition into the one aws-local-stepfunctions runs, or refuses it.
 *
 * Refused, loudly and at creation: what the library would run differently from AWS (JSONata and
 * variables, which it silently ignores; unknown fields; Task resources this emulator does not
 * implement). Rewritten, in a private copy: what AWS does and the library does not (no 60 s default
 * task timeout, heartbeats, `$$.State`, `$$.Execution` inside branches), and the documented local
 * speed-ups (retry intervals and callback timeouts scaled down, never the attempt counts or the
 * backoff shape).
 */
export type Json = Record<string, unknown>;

export interface TaskPlan {
  stateName: string;
  resource: string;
  target: TaskTarget;
  /** Callback tasks: when the token expires (the library fails the state at the same moment). */
  timeoutMs?: number;
  /** Callback tasks: the longest time between two heartbeats. */
  heartbeatMs?: number;
}

export interface PreparedDefinition {
  /** The rewritten copy to run; copy it again per execution (see `instrumentStateEntries`). */
  definition: Json;
  tasks: Map<string, TaskPlan>;
  /** State names by the index that `$$.State` paths were rewritten to (`$$.LocalStates.s<index>`). */
  stateNames: string[];
}

export interface PrepareOptions {
  /** The state machine's name, for the messages. */
  name: string;
  functionNameFromArn: (arn: string) => string | undefined;
  retryIntervalScale: number;
  taskTimeoutScale: number;
}

/** setTimeout's limit (about 24.8 days): a longer delay would fire after 1 ms. */
const MAX_TIMER_SECONDS = 2_147_483;
/** AWS's default task timeout is 99,999,999 s, the library's is 60 s: the closest the timer allows. */
const NO_TIMEOUT = MAX_TIMER_SECONDS;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function prepareDefinition(definition: unknown, options: PrepareOptions): PreparedDefinition {
  if (!isObject(definition)) {
    throw new UnsupportedDefinitionError(
      `State machine ${options.name}: the definition is not a JSON object`,
    );
  }
  const preparation = new Preparation(options);
  const local = preparation.prepareMachine(structuredClone(definition));
  if (preparation.problems.length > 0) {
    throw new UnsupportedDefinitionError(
      `State machine ${options.name} cannot run on the local Step Functions:\n` +
        preparation.problems.map((problem) => `  - ${problem}`).join('\n'),
    );
  }
  try {
    // The library's own validation (asl-validator) of the definition as written, on a copy: the
    // library fills defaults (QueryLanguage) into the definition it is given.
    new StateMachine(structuredClone(definition) as unknown as StateMachineDefinition);
  } catch (error) {
    throw new UnsupportedDefinitionError(`State machine ${options.name}: ${(error as Error).message}`);
  }
  return { definition: local, tasks: preparation.tasks, stateNames: preparation.stateNames };
}

/** One pass over a copy of the definition: collects the problems and rewrites the copy in place. */
class Preparation {
  readonly problems: string[] = [];
  readonly tasks = new Map<string, TaskPlan>();
  readonly stateNames: string[] = [];
  readonly #options: PrepareOptions;

  constructor(options: PrepareOptions) {
    this.#options = options;
  }

  prepareMachine(machine: Json): Json {
    this.#checkQueryLanguage(machine.QueryLanguage, 'the state machine');
    this.#checkFields(machine, MACHINE_FIELDS, 'the state machine');
    if (typeof machine.TimeoutSeconds === 'number') {
      machine.TimeoutSeconds = Math.min(machine.TimeoutSeconds, MAX_TIMER_SECONDS);
    }
    this.#prepareStates(machine);
    return machine;
  }

  #prepareStates(machine: Json): void {
    if (!isObject(machine.States)) return;
    for (const [name, state] of Object.entries(machine.States)) {
      if (this.stateNames.includes(name)) {
        // Task overrides, like AWS, key states by a name unique in the whole state machine.
        this.problems.push(`state "${name}": the name is used twice`);
        continue;
      }
      this.stateNames.push(name);
      if (isObject(state)) this.#prepareState(name, state);
    }
  }

  #prepareState(name: string, state: Json): void {
    const where = `state "${name}"`;
    const type = String(state.Type);
    const fields = STATE_FIELDS[type];
    if (!fields) {
      this.problems.push(`${where}: unknown Type ${type}`);
      return;
    }
    this.#checkQueryLanguage(state.QueryLanguage, where);
    this.#checkFields(state, [...COMMON_FIELDS, ...fields], where);
    this.#prepareRetry(state.Retry, where);
    this.#prepareCatch(state.Catch, where);
    if (Array.isArray(state.Choices)) {
      for (const rule of state.Choices) this.#checkChoiceRule(rule, where);
    }
    const task = type === 'Task' ? this.#prepareTask(name, state) : undefined;
    this.#preparePaths(name, state, task);
    for (const nested of nestedMachines(state)) {
      this.#checkFields(nested, NESTED_MACHINE_FIELDS, `${where} (nested states)`);
      const processor = nested.ProcessorConfig;
      if (isObject(processor) && processor.Mode !== undefined && processor.Mode !== 'INLINE') {
        this.problems.push(`${where}: a ${String(processor.Mode)} Map is not supported (only INLINE)`);
      }
      this.#prepareStates(nested);
    }
  }

  #prepareTask(name: string, state: Json): TaskPlan | undefined {
    const where = `state "${name}"`;
    if (typeof state.Resource !== 'string') {
      this.problems.push(`${where}: Resource must be a string`);
      return undefined;
    }
    const target = taskTarget(state.Resource, this.#options.functionNameFromArn);
    if ('unsupported' in target) {
      this.problems.push(`${where}: ${target.unsupported}`);
      return undefined;
    }
    if (target.kind === 'lambda:invoke') this.#checkLambdaParameters(state.Parameters, where);
    const plan: TaskPlan = { stateName: name, resource: state.Resource, target };
    const timeout = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
    if (waitsForTaskToken(target)) {
      const scale = this.#options.taskTimeoutScale;
      // The library times the task out with its own States.Timeout error (which Retry and Catch
      // treat as AWS does); the token registry expires the token at the same moment.
      const local = timeout === undefined ? NO_TIMEOUT : Math.min(timeout * scale, MAX_TIMER_SECONDS);
      state.TimeoutSeconds = local;
      // Computed as the library computes its own timer's delay, so both timers fire together.
      plan.timeoutMs = local * 1e3;
      if (typeof state.HeartbeatSeconds === 'number') {
        plan.heartbeatMs = Math.min(state.HeartbeatSeconds * scale, MAX_TIMER_SECONDS) * 1e3;
      }
    } else {
      state.TimeoutSeconds = Math.min(timeout ?? NO_TIMEOUT, MAX_TIMER_SECONDS);
    }
    this.tasks.set(name, plan);
    return plan;
  }

  #checkLambdaParameters(parameters: unknown, where: string): void {
    if (!isObject(parameters) || (!('FunctionName' in parameters) && !('FunctionName.$' in parameters))) {
      this.problems.push(`${where}: lambda:invoke needs Parameters.FunctionName`);
      return;
    }
    const { FunctionName: functionName, InvocationType: invocationType } = parameters;
    if (typeof functionName === 'string' && this.#options.functionNameFromArn(functionName) === undefined) {
      this.problems.push(`${where}: its function ${functionName} is not a function of this app`);
    }
    if (invocationType !== undefined && invocationType !== 'RequestResponse') {
      this.problems.push(`${where}: InvocationType ${String(invocationType)} is not supported locally`);
    }
  }

  #prepareRetry(retry: unknown, where: string): void {
    if (!Array.isArray(retry)) return;
    const scale = this.#options.retryIntervalScale;
    for (const retrier of retry) {
      if (!isObject(retrier)) continue;
      this.#checkFields(retrier, RETRIER_FIELDS, `${where} (Retry)`);
      includeHeartbeatTimeout(retrier);
      scaleRetrier(retrier, scale);
    }
  }

  #prepareCatch(catchers: unknown, where: string): void {
    if (!Array.isArray(catchers)) return;
    for (const catcher of catchers) {
      if (!isObject(catcher)) continue;
      this.#checkFields(catcher, CATCHER_FIELDS, `${where} (Catch)`);
      includeHeartbeatTimeout(catcher);
    }
  }

  #checkChoiceRule(rule: unknown, where: string): void {
    if (!isObject(rule)) return;
    this.#checkFields(rule, CHOICE_RULE_FIELDS, `${where} (Choices)`);
    const nested = [...(Array.isArray(rule.And) ? rule.And : []), ...(Array.isArray(rule.Or) ? rule.Or : [])];
    if (rule.Not !== undefined) nested.push(rule.Not);
    for (const inner of nested) this.#checkChoiceRule(inner, where);
  }

  #checkQueryLanguage(queryLanguage: unknown, where: string): void {
    if (queryLanguage !== undefined && queryLanguage !== 'JSONPath') {
      this.problems.push(
        `${where}: QueryLanguage ${String(queryLanguage)} is not supported (aws-local-stepfunctions ` +
          'silently ignores JSONata); write it in JSONPath',
      );
    }
  }

  #checkFields(object: Json, allowed: string[], where: string): void {
    this.problems.push(...fieldProblems(object, allowed, where));
  }

  /** Checks the state's Context Object paths, and points them where the local executions answer them. */
  #preparePaths(name: string, state: Json, task: TaskPlan | undefined): void {
    const problems = pointContextPaths(state, `state "${name}"`, {
      stateIndex: this.stateNames.indexOf(name),
      waitsForTaskToken: task !== undefined && waitsForTaskToken(task.target),
    });
    this.problems.push(...problems);
  }
}

/**
 * On AWS a heartbeat timeout (`States.HeartbeatTimeout`) is also matched by `States.Timeout`; the
 * library matches one name, so a retrier or catcher of States.Timeout names both.
 */
function includeHeartbeatTimeout(handler: Json): void {
  const errors = handler.ErrorEquals;
  if (
    Array.isArray(errors) &&
    errors.includes('States.Timeout') &&
    !errors.includes('States.HeartbeatTimeout')
  ) {
    errors.push('States.HeartbeatTimeout');
  }
}

/** The state machines a Parallel or Map state runs. */
export function nestedMachines(state: Json): Json[] {
  const branches = Array.isArray(state.Branches) ? state.Branches : [];
  return [...branches, state.ItemProcessor, state.Iterator].filter(isObject);
}

/**
 * Scales a retrier's waits, in place: only the intervals shrink; the attempts, the backoff rate and
 * the jitter stay as written (the library's retryIntervalOverrides would replace the whole backoff
 * with one constant). IntervalSeconds defaults to 1, as in the States language.
 */
export function scaleRetrier(retrier: Json, scale: number): void {
  retrier.IntervalSeconds =
    (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale;
  if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= scale;
}
