import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Json } from './definition.ts';
import type { TestedStateRun } from './test-state-run.ts';

/**
 * TestState's `inspectionData` at DEBUG and TRACE: the state's input after each step of its data
 * flow (InputPath, Parameters, the result, ResultSelector, ResultPath). Each step is one Pass state
 * run on aws-local-stepfunctions with that step's field and the state's context, so paths, payload
 * templates and intrinsic functions are the library's, as in an execution.
 */
export interface DataFlow {
  input: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
}

const text = (value: unknown): string | undefined =>
  value === undefined ? undefined : JSON.stringify(value);

export async function inspectDataFlow(
  state: Json,
  input: unknown,
  context: Json,
  run: TestedStateRun,
): Promise<DataFlow> {
  const flow: DataFlow = { input: JSON.stringify(input) };
  // A Fail state has no data flow.
  if (state.Type === 'Fail') return flow;
  const afterInputPath = await passStep({ InputPath: state.InputPath }, input, context);
  flow.afterInputPath = text(afterInputPath);
  if (state.Type !== 'Task' && state.Type !== 'Pass') return flow;

  let afterParameters: unknown;
  let result: unknown;
  if (state.Type === 'Task') {
    afterParameters = run.task?.input;
    result = run.task?.result;
  } else {
    afterParameters = await passStep(
      { InputPath: state.InputPath, Parameters: state.Parameters },
      input,
      context,
    );
    result = 'Result' in state ? state.Result : afterParameters;
  }
  flow.afterParameters = text(afterParameters);
  if (result === undefined) return flow;
  flow.result = text(result);
  const afterResultSelector =
    state.ResultSelector === undefined
      ? result
      : await passStep({ Parameters: state.ResultSelector }, result, context);
  flow.afterResultSelector = text(afterResultSelector);
  if (afterResultSelector !== undefined) {
    flow.afterResultPath = text(
      await passStep({ Result: afterResultSelector, ResultPath: state.ResultPath }, input, context),
    );
  }
  return flow;
}

/** One step of the data flow as a Pass state with these fields; undefined when the step fails. */
async function passStep(fields: Json, input: unknown, context: Json): Promise<unknown> {
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  const definition = { StartAt: 'Step', States: { Step: { Type: 'Pass', ...given, End: true } } };
  try {
    return await new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    }).run(input as never, { context }).result;
  } catch {
    // The state's own run reports the error; this step of the flow is not shown.
    return undefined;
  }
}
