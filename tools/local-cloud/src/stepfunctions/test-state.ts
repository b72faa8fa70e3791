import { randomUUID } from 'node:crypto';
import { ExecutionContext } from './context-object.ts';
import { localStateKey } from './context-paths.ts';
import { isObject, type Json, type PreparedDefinition, prepareDefinition } from './definition.ts';
import { StepFunctionsApiError, taskError, UnsupportedDefinitionError } from './errors.ts';
import { type TaskHandler, type TaskServices, taskHandler } from './task-handlers.ts';
import { waitsForTaskToken } from './task-resources.ts';
import { inspectDataFlow } from './test-state-inspection.ts';
import { runTestedState, singleStateMachine, type TestedStateRun } from './test-state-run.ts';

/**
 * The TestState action: one state, given alone or named in a whole state machine (`stateName`),
 * run once on an input, with its Task mocked (`mock`) or really called on the local cloud, and
 * answered as AWS answers it: the output, the next state, the status (a matching retrier makes it
 * RETRIABLE, with its backoff; a catcher CAUGHT_ERROR), and at DEBUG or TRACE the data flow.
 * What the local Step Functions refuses elsewhere (JSONata, variables, Map and Parallel) is refused
 * here too.
 */
export interface TestStateDependencies {
  services: TaskServices;
  region: string;
  accountId: string;
}

const INSPECTION_LEVELS = ['INFO', 'DEBUG', 'TRACE'];
const FIELD_VALIDATION_MODES = ['STRICT', 'PRESENT', 'NONE'];
const TESTABLE_TYPES = ['Task', 'Pass', 'Wait', 'Choice', 'Succeed', 'Fail'];
/** AWS ends a tested state that runs longer with States.Timeout. */
const MAX_TEST_SECONDS = 300;
/** AWS's limit on `input`, `mock.result` and `context`. */
const MAX_PAYLOAD_CHARS = 262_144;

type Mock = { result: unknown } | { error: string; cause: string };

interface TestRequest {
  stateName: string;
  state: Json;
  /** The whole state machine, when the request named a state of it. */
  machine?: Json;
  input: unknown;
  inspectionLevel: string;
  mock?: Mock;
  context?: Json;
  roleArn: string;
  retrierRetryCount: number;
}

export async function testState(request: Json, dependencies: TestStateDependencies): Promise<Json> {
  const test = readRequest(request);
  const prepared = prepareTestedState(test, dependencies);
  const context = testContext(test, prepared, dependencies);
  const run = await runTestedState({
    name: test.stateName,
    definition: prepared.definition,
    written: test.state,
    input: test.input,
    context,
    ...(test.state.Type === 'Task' ? { task: testedTask(test, prepared, context, dependencies) } : {}),
    retrierRetryCount: test.retrierRetryCount,
  });
  const inspectionData =
    test.inspectionLevel === 'INFO'
      ? undefined
      : {
          ...(await inspectDataFlow(
            (prepared.definition.States as Json)[test.stateName] as Json,
            test.input,
            context.object,
            run,
          )),
          ...(run.errorDetails ? { errorDetails: run.errorDetails } : {}),
        };
  return answer(run, inspectionData);
}

function answer(run: TestedStateRun, inspectionData: Json | undefined): Json {
  const ended = run.status === 'SUCCEEDED' || run.status === 'CAUGHT_ERROR';
  return {
    status: run.status,
    ...(ended ? { output: JSON.stringify(run.output ?? null) } : {}),
    ...(run.error === undefined ? {} : { error: run.error, cause: run.cause ?? '' }),
    ...(ended && run.nextState !== undefined ? { nextState: run.nextState } : {}),
    ...(inspectionData ? { inspectionData } : {}),
  };
}

function readRequest(request: Json): TestRequest {
  const { definition, stateName } = request;
  if (typeof definition !== 'string' || definition.length === 0) {
    throw validation(
      "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null",
    );
  }
  const parsed = parseJson(definition, (message) =>
    invalidDefinition(`INVALID_JSON_DESCRIPTION: ${message}`),
  );
  if (!isObject(parsed))
    throw invalidDefinition('SCHEMA_VALIDATION_FAILED: the definition must be a JSON object');
  if (request.variables !== undefined) {
    throw validation(
      'variables are not supported locally: aws-local-stepfunctions has no variables (Assign)',
    );
  }
  const { name, state, machine } = testedState(parsed, stateName);
  const type = String(state.Type);
  if (!TESTABLE_TYPES.includes(type)) {
    throw invalidDefinition(
      `TestState locally supports the state types ${TESTABLE_TYPES.join(', ')}; not ${type} (Map and Parallel are not run locally)`,
    );
  }
  const mock = readMock(request, type);
  if (request.context !== undefined && mock === undefined) {
    throw validation('context may only be specified when a mock is specified');
  }
  const roleArn = request.roleArn;
  if (
    roleArn !== undefined &&
    (typeof roleArn !== 'string' || !/^arn:[\w-]+:iam::\d{12}:role\//.test(roleArn))
  ) {
    throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${String(roleArn)}'`);
  }
  if (type === 'Task' && mock === undefined && roleArn === undefined) {
    throw validation('RoleArn must be specified when testing a Task state');
  }
  const inspectionLevel = request.inspectionLevel ?? 'INFO';
  if (typeof inspectionLevel !== 'string' || !INSPECTION_LEVELS.includes(inspectionLevel)) {
    throw validation(
      `Value '${String(inspectionLevel)}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [${INSPECTION_LEVELS.join(', ')}]`,
    );
  }
  return {
    stateName: name,
    state,
    ...(machine ? { machine } : {}),
    input: payload(request.input ?? '{}', 'input', 'InvalidExecutionInput'),
    inspectionLevel,
    ...(mock ? { mock } : {}),
    ...(request.context === undefined ? {} : { context: contextObject(request.context) }),
    roleArn: typeof roleArn === 'string' ? roleArn : '',
    retrierRetryCount: retrierRetryCount(request.stateConfiguration),
  };
}

/** The state under test: the definition itself, or the state `stateName` names in the state machine it is. */
function testedState(definition: Json, stateName: unknown): { name: string; state: Json; machine?: Json } {
  if (stateName === undefined) {
    if ('States' in definition) {
      throw invalidDefinition(
        'SCHEMA_VALIDATION_FAILED: a state machine definition needs the stateName of the state to test',
      );
    }
    // A state given alone has no name of its own; `$$.State.Name` reads this one.
    return { name: 'TestState', state: definition };
  }
  if (typeof stateName !== 'string' || stateName.length === 0 || stateName.length > 80) {
    throw validation('stateName must be 1 to 80 characters');
  }
  const state = isObject(definition.States) ? definition.States[stateName] : undefined;
  if (!isObject(state)) {
    throw validation(`State '${stateName}' does not exist in the state machine definition`);
  }
  return { name: stateName, state, machine: definition };
}

function readMock(request: Json, type: string): Mock | undefined {
  const mock = request.mock;
  if (mock === undefined) return undefined;
  if (!isObject(mock)) throw validation('mock must be an object');
  if (request.revealSecrets === true) {
    throw validation('TestState does not support RevealSecrets when a mock is specified.');
  }
  if (type !== 'Task') throw validation(`State type '${type}' is not supported when a mock is specified`);
  if (mock.result !== undefined && mock.errorOutput !== undefined) {
    throw validation('A test mock should have only one of the following fields: [result, errorOutput].');
  }
  const mode = mock.fieldValidationMode ?? 'STRICT';
  if (typeof mode !== 'string' || !FIELD_VALIDATION_MODES.includes(mode)) {
    throw validation(
      `Value '${String(mode)}' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [${FIELD_VALIDATION_MODES.join(', ')}]`,
    );
  }
  if (mock.result !== undefined) {
    if (typeof mock.result !== 'string') throw validation('Mocked result must be valid JSON');
    return { result: parseJson(mock.result, () => validation('Mocked result must be valid JSON')) };
  }
  const errorOutput = mock.errorOutput;
  if (!isObject(errorOutput) || typeof errorOutput.error !== 'string') {
    throw validation(
      'A test mock should have one of the following fields: [result, errorOutput], and errorOutput needs an error',
    );
  }
  return { error: errorOutput.error, cause: typeof errorOutput.cause === 'string' ? errorOutput.cause : '' };
}

function retrierRetryCount(configuration: unknown): number {
  if (configuration === undefined) return 0;
  if (!isObject(configuration)) throw validation('stateConfiguration must be an object');
  const count = configuration.retrierRetryCount ?? 0;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw validation('stateConfiguration.retrierRetryCount must be an integer of at least 0');
  }
  return count;
}

/**
 * The state machine of the state and its next states, prepared as an execution's is: refused with
 * InvalidDefinition for what the local Step Functions does not run. With a mock no function is
 * called, so the state may name one the app does not have.
 */
function prepareTestedState(test: TestRequest, { services }: TestStateDependencies): PreparedDefinition {
  const lenient = (arn: string) => services.functionNameFromArn(arn) ?? arn;
  try {
    if (test.machine) {
      prepareDefinition(test.machine, { ...preparation, functionNameFromArn: lenient });
    }
    const prepared = prepareDefinition(singleStateMachine(test.stateName, test.state), {
      ...preparation,
      functionNameFromArn: test.mock ? lenient : (arn) => services.functionNameFromArn(arn),
    });
    const plan = prepared.tasks.get(test.stateName);
    if (plan && waitsForTaskToken(plan.target) && !test.mock) {
      throw validation('TestState runs a .waitForTaskToken task only with a mock');
    }
    const state = (prepared.definition.States as Json)[test.stateName] as Json;
    if (typeof state.TimeoutSeconds === 'number') {
      state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TEST_SECONDS);
    }
    return prepared;
  } catch (error) {
    if (error instanceof UnsupportedDefinitionError) throw invalidDefinition(error.message);
    throw error;
  }
}

/** Unscaled: a retry is reported, never waited for, and its backoff is the definition's. */
const preparation = { name: 'TestState', retryIntervalScale: 1, taskTimeoutScale: 1 };

/** A Context Object like the one AWS gives a tested state, with the request's `context` over it. */
function testContext(
  test: TestRequest,
  prepared: PreparedDefinition,
  { region, accountId }: TestStateDependencies,
): ExecutionContext {
  const machineName = `TestState-${randomUUID()}`;
  const executionName = randomUUID();
  const context = new ExecutionContext(
    {
      arn: `arn:aws:states:${region}:${accountId}:stateMachine:${machineName}`,
      name: machineName,
      stateNames: prepared.stateNames,
    },
    {
      executionArn: `arn:aws:states:${region}:${accountId}:express:${machineName}:${executionName}`,
      name: executionName,
      input: JSON.stringify(test.input),
      roleArn: test.roleArn,
      startDate: new Date(),
    },
  );
  const given = test.context;
  if (!given) return context;
  const object = context.object;
  // The rewritten paths read `$$.Execution` at LocalExecution and `$$.State` at LocalStates (context-paths.ts).
  if (isObject(given.Execution))
    object.LocalExecution = { ...(object.LocalExecution as Json), ...given.Execution };
  if (isObject(given.StateMachine))
    object.StateMachine = { ...(object.StateMachine as Json), ...given.StateMachine };
  if (isObject(given.Task)) object.Task = given.Task;
  if (given.Map !== undefined) object.Map = given.Map;
  if (isObject(given.State)) {
    const states = object.LocalStates as Json;
    const key = localStateKey(prepared.stateNames.indexOf(test.stateName));
    states[key] = { ...(states[key] as Json), ...given.State };
  }
  return context;
}

/** The Task's work: the mock's result or error, or the integration itself on the local cloud. */
function testedTask(
  test: TestRequest,
  prepared: PreparedDefinition,
  context: ExecutionContext,
  { services }: TestStateDependencies,
): TaskHandler {
  const mock = test.mock;
  if (mock && 'result' in mock) return async () => structuredClone(mock.result);
  if (mock) return () => Promise.reject(taskError(mock.error, mock.cause));
  const plan = prepared.tasks.get(test.stateName);
  if (!plan) throw new Error(`The Task state ${test.stateName} was not prepared`);
  const object = context.object;
  const execution = object.LocalExecution as Json;
  return taskHandler(plan, services, {
    executionArn: String(execution.Id),
    stateMachineArn: String((object.StateMachine as Json).Id),
    claimTaskToken: () => context.claimTaskToken(),
  });
}

function payload(value: unknown, field: string, code: string): unknown {
  if (typeof value !== 'string' || value.length > MAX_PAYLOAD_CHARS) {
    throw new StepFunctionsApiError(
      code,
      `Invalid ${field}: not JSON text of at most ${MAX_PAYLOAD_CHARS} characters`,
    );
  }
  return parseJson(value, (message) => new StepFunctionsApiError(code, `Invalid ${field}: ${message}`));
}

function contextObject(value: unknown): Json {
  const parsed = payload(value, 'context', 'ValidationException');
  if (!isObject(parsed)) throw validation('context must be a JSON object');
  return parsed;
}

function parseJson(text: string, error: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (parseError) {
    throw error((parseError as Error).message);
  }
}

const validation = (message: string) => new StepFunctionsApiError('ValidationException', message);
const invalidDefinition = (message: string) =>
  new StepFunctionsApiError('InvalidDefinition', `Invalid State Machine Definition: '${message}'`);
