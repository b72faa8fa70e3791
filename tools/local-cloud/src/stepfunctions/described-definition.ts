import { isObject, type Json, nestedMachines, scaleRetrier } from './definition.ts';

/**
 * The definition DescribeStateMachine reports: the one the local cloud runs, its retriers'
 * IntervalSeconds and MaxDelaySeconds scaled by `retryIntervalScale` and its callback tasks'
 * TimeoutSeconds and HeartbeatSeconds by `taskTimeoutScale`. A client that derives its deadlines
 * from the reported definition then waits as long as this cloud takes, as it would on AWS.
 */
export function describedDefinition(
  definition: unknown,
  scales: { retryIntervalScale: number; taskTimeoutScale: number },
): unknown {
  if (scales.retryIntervalScale === 1 && scales.taskTimeoutScale === 1) return definition;
  const copy = structuredClone(definition);
  if (isObject(copy)) scaleStates(copy, scales);
  return copy;
}

function scaleStates(machine: Json, scales: { retryIntervalScale: number; taskTimeoutScale: number }): void {
  if (!isObject(machine.States)) return;
  for (const state of Object.values(machine.States)) {
    if (!isObject(state)) continue;
    for (const retrier of Array.isArray(state.Retry) ? state.Retry.filter(isObject) : []) {
      scaleRetrier(retrier, scales.retryIntervalScale);
    }
    if (typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken')) {
      if (typeof state.TimeoutSeconds === 'number') state.TimeoutSeconds *= scales.taskTimeoutScale;
      if (typeof state.HeartbeatSeconds === 'number') state.HeartbeatSeconds *= scales.taskTimeoutScale;
    }
    for (const nested of nestedMachines(state)) scaleStates(nested, scales);
  }
}
