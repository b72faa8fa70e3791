import type { ServiceLog } from '../kit/service-log.ts';
import { isJson } from './api-actions.ts';
import { prepareDefinition } from './definition.ts';
import { describedDefinition } from './described-definition.ts';
import { StepFunctionsApiError, UnsupportedDefinitionError } from './errors.ts';
import type { LocalStateMachine } from './execution.ts';

/**
 * The state machines the local Step Functions runs, prepared once: the template's, and those a
 * test run creates with CreateStateMachine, which is idempotent as on AWS.
 */
export interface StateMachineSource {
  arn: string;
  name: string;
  /** The parsed ASL definition (CloudFormation intrinsics already resolved). */
  definition: unknown;
  /** The template's role; absent, DescribeStateMachine and the Context Object show a local stand-in. */
  roleArn?: string;
  /** As DescribeStateMachine returns them, when the template sets them. */
  loggingConfiguration?: Record<string, unknown>;
  tracingConfiguration?: Record<string, unknown>;
}

/** A state machine as DescribeStateMachine answers it. */
export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  status: 'ACTIVE';
  /** The definition as JSON text. */
  definition: string;
  roleArn: string;
  type: 'STANDARD';
  creationDate: Date;
  loggingConfiguration?: Record<string, unknown>;
  tracingConfiguration?: Record<string, unknown>;
}

/** A state machine as ListStateMachines lists it. */
export type StateMachineListItem = Pick<
  StateMachineDescription,
  'stateMachineArn' | 'name' | 'type' | 'creationDate'
>;

export interface StateMachinesOptions {
  /** The local function a Lambda ARN (or name) designates; undefined when there is none. */
  functionNameFromArn(arn: string): string | undefined;
  /** Multiplies every retrier's IntervalSeconds and MaxDelaySeconds. Default 1. */
  retryIntervalScale?: number | undefined;
  /** Multiplies TimeoutSeconds and HeartbeatSeconds of `.waitForTaskToken` tasks. Default 1. */
  taskTimeoutScale?: number | undefined;
  region: string;
  accountId: string;
  log: ServiceLog;
}

/**
 * The names of state machines and executions, on AWS: 1 to 80 characters, no whitespace, brackets,
 * wildcards, these punctuation marks or controls.
 */
export const RESOURCE_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

/**
 * A state machine's ARN as AWS parses it (partition, region, 12-digit account, name, and the
 * optional version or alias): anything else is InvalidArn, not StateMachineDoesNotExist.
 */
const STATE_MACHINE_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:\s]{1,80}(:[^:\s]{1,80})?$/;

export class StateMachines {
  readonly #machines = new Map<string, LocalStateMachine>();
  /** What DescribeStateMachine answers, by ARN; CreateStateMachine's idempotency check reads it too. */
  readonly #descriptions = new Map<string, StateMachineDescription>();
  readonly #options: StateMachinesOptions;
  readonly #retryIntervalScale: number;
  readonly #taskTimeoutScale: number;

  constructor(sources: readonly StateMachineSource[], options: StateMachinesOptions) {
    this.#options = options;
    this.#retryIntervalScale = scaleOption('retryIntervalScale', options.retryIntervalScale, 0);
    this.#taskTimeoutScale = scaleOption('taskTimeoutScale', options.taskTimeoutScale, Number.MIN_VALUE);
    for (const source of sources) {
      if (this.#machines.has(source.arn)) throw new Error(`State machine ${source.arn} is given twice`);
      this.#machines.set(source.arn, this.#prepare(source));
      // The template's definition as this cloud runs it: its retry intervals and callback timeouts scaled.
      const scales = {
        retryIntervalScale: this.#retryIntervalScale,
        taskTimeoutScale: this.#taskTimeoutScale,
      };
      const running = { ...source, definition: describedDefinition(source.definition, scales) };
      this.#descriptions.set(source.arn, this.#describeSource(running, new Date()));
    }
  }

  /** The state machine an API call names, or the error AWS answers for it. */
  get(stateMachineArn: unknown): LocalStateMachine {
    const machine = typeof stateMachineArn === 'string' ? this.#machines.get(stateMachineArn) : undefined;
    if (machine) return machine;
    throw unknownStateMachine(stateMachineArn);
  }

  /** DescribeStateMachine. */
  describe(stateMachineArn: unknown): StateMachineDescription {
    const description =
      typeof stateMachineArn === 'string' ? this.#descriptions.get(stateMachineArn) : undefined;
    if (description) return description;
    throw unknownStateMachine(stateMachineArn);
  }

  /** ListStateMachines' items, oldest first. */
  list(): StateMachineListItem[] {
    return [...this.#descriptions.values()].map(({ stateMachineArn, name, type, creationDate }) => ({
      stateMachineArn,
      name,
      type,
      creationDate,
    }));
  }

  find(stateMachineArn: string): LocalStateMachine | undefined {
    return this.#machines.get(stateMachineArn);
  }

  /** The role the template or CreateStateMachine gave the state machine, else a local stand-in. */
  roleArnOf(machine: LocalStateMachine): string {
    return this.#descriptions.get(machine.arn)?.roleArn ?? this.#standInRole(machine.name);
  }

  /** A state of the machine's own States, not of a Parallel branch or a Map iteration. */
  isTopLevelState(stateMachineArn: string, stateName: string): boolean {
    const { definition } = this.#machines.get(stateMachineArn)?.prepared ?? {};
    const states = (definition as { States?: object } | undefined)?.States;
    return states !== undefined && Object.hasOwn(states, stateName);
  }

  /** CreateStateMachine, as AWS answers it: idempotent for the same name, definition and type. */
  create(input: Record<string, unknown>): { stateMachineArn: string; creationDate: Date } {
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
    const arn = `arn:aws:states:${this.#options.region}:${this.#options.accountId}:stateMachine:${name}`;
    const existing = this.#descriptions.get(arn);
    if (existing) {
      if (existing.definition !== definition) {
        throw new StepFunctionsApiError(
          'StateMachineAlreadyExists',
          `State Machine Already Exists: '${arn}'`,
        );
      }
      return { stateMachineArn: arn, creationDate: existing.creationDate };
    }
    const source: StateMachineSource = {
      arn,
      name,
      definition: JSON.parse(definition),
      roleArn,
      ...optionalObject('loggingConfiguration', input.loggingConfiguration),
      ...optionalObject('tracingConfiguration', input.tracingConfiguration),
    };
    const machine = this.#prepareCreated(source);
    const creationDate = new Date();
    this.#machines.set(arn, machine);
    // The definition text as given, not re-serialised: DescribeStateMachine returns it unchanged.
    this.#descriptions.set(arn, { ...this.#describeSource(source, creationDate), definition });
    this.#options.log.info(`State machine ${name} created`, { arn });
    return { stateMachineArn: arn, creationDate };
  }

  #describeSource(source: StateMachineSource, creationDate: Date): StateMachineDescription {
    return {
      stateMachineArn: source.arn,
      name: source.name,
      status: 'ACTIVE',
      definition: JSON.stringify(source.definition),
      roleArn: source.roleArn ?? this.#standInRole(source.name),
      type: 'STANDARD',
      creationDate,
      ...optionalObject('loggingConfiguration', source.loggingConfiguration),
      ...optionalObject('tracingConfiguration', source.tracingConfiguration),
    };
  }

  #standInRole(name: string): string {
    return `arn:aws:iam::${this.#options.accountId}:role/${name}-local`;
  }

  #prepare(source: StateMachineSource): LocalStateMachine {
    return {
      arn: source.arn,
      name: source.name,
      prepared: prepareDefinition(source.definition, {
        name: source.name,
        functionNameFromArn: (arn) => this.#options.functionNameFromArn(arn),
        retryIntervalScale: this.#retryIntervalScale,
        taskTimeoutScale: this.#taskTimeoutScale,
      }),
    };
  }

  /** A definition created over the API: what fails the start for a template's is the caller's 400. */
  #prepareCreated(source: StateMachineSource): LocalStateMachine {
    try {
      return this.#prepare(source);
    } catch (error) {
      if (!(error instanceof UnsupportedDefinitionError)) throw error;
      throw new StepFunctionsApiError(
        'InvalidDefinition',
        `Invalid State Machine Definition: ${error.message}`,
      );
    }
  }
}

function scaleOption(name: string, value: number | undefined, minimum: number): number {
  if (value === undefined) return 1;
  if (!Number.isFinite(value) || value < minimum) {
    throw new Error(`${name} must be a finite number ${minimum === 0 ? 'of at least 0' : 'above 0'}`);
  }
  return value;
}

/** The error AWS answers for a state machine ARN it does not know: InvalidArn when it is no such ARN. */
function unknownStateMachine(stateMachineArn: unknown): StepFunctionsApiError {
  if (typeof stateMachineArn !== 'string' || !STATE_MACHINE_ARN.test(stateMachineArn)) {
    return new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(stateMachineArn)}'`);
  }
  return new StepFunctionsApiError(
    'StateMachineDoesNotExist',
    `State Machine Does Not Exist: '${stateMachineArn}'`,
  );
}

/** `{ [key]: value }` when the value is an object, else nothing to spread. */
function optionalObject<K extends string>(key: K, value: unknown): { [P in K]?: Record<string, unknown> } {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? ({ [key]: value } as { [P in K]?: Record<string, unknown> })
    : {};
}
