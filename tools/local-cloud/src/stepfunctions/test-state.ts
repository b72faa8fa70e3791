import { randomUUID } from 'node:crypto';
import { ExecutionContext } from './context-object.ts';
import { localStateKey } from './context-paths.ts';
import { isObject, type Json, type PreparedDefinition, prepareDefinition } from './definition.ts';
import { taskError, UnsupportedDefinitionError } from './errors.ts';
import { type TaskHandler, type TaskServices, taskHandler } from './task-handlers.ts';
import { waitsForTaskToken } from './task-resources.ts';
import { inspectDataFlow } from './test-state-inspection.ts';
import { invalidDefinition, readTestRequest, type TestRequest, validation } from './test-state-request.ts';
import { runTestedState, singleStateMachine, type TestedStateRun } from './test-state-run.ts';

/**
 * The TestState action: one state, given alone or named in a whole state machine (`stateName`),
 * run once on an input, with its Task mocked (`mock`) or really called on the local cloud, and
 * answered as AWS answers it: the output, the next state, the status (a matching retrier makes it
 * RETRIABLE, with its backoff; a catcher CAUGHT_ERROR), and at DEBUG or TRACE the data flow.
 * What the local Step Functions refuses elsewhere (JSONata, variables, Map and Parallel) is refused
 * here too (test-state-request.ts).
 */
export interface TestStateDependencies {
  services: TaskServices;
  region: string;
  accountId: string;
}

/** AWS ends a tested state that runs longer with States.Timeout. */
const MAX_TEST_SECONDS = 300;

export async function testState(request: Json, dependencies: TestStateDependencies): Promise<Json> {
  const test = readTestRequest(request);
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
    // A tested state has no execution history to record the hand-over in.
    taskSubmitted: () => {},
  });
}
