import { isObject, type Json } from './definition.ts';
import { StepFunctionsApiError } from './errors.ts';

/**
 * A TestState request read and checked as AWS checks it: the state under test (alone, or named in
 * a whole state machine), its input, mock, context and inspection level, or the ValidationException
 * or InvalidDefinition AWS answers (with AWS's messages where they are known). What the local Step
 * Functions does not run (variables, Map and Parallel) is refused here too.
 */
const INSPECTION_LEVELS = ['INFO', 'DEBUG', 'TRACE'];
const FIELD_VALIDATION_MODES = ['STRICT', 'PRESENT', 'NONE'];
const TESTABLE_TYPES = ['Task', 'Pass', 'Wait', 'Choice', 'Succeed', 'Fail'];
/** AWS's limit on `input`, `mock.result` and `context`. */
const MAX_PAYLOAD_CHARS = 262_144;

export type Mock = { result: unknown } | { error: string; cause: string };

export interface TestRequest {
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

export function readTestRequest(request: Json): TestRequest {
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

export const validation = (message: string) => new StepFunctionsApiError('ValidationException', message);
export const invalidDefinition = (message: string) =>
  new StepFunctionsApiError('InvalidDefinition', `Invalid State Machine Definition: '${message}'`);
