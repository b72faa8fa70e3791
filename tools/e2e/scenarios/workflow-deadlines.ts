/**
 * The longest a workflow's retriers can make it wait, read from its Amazon States Language
 * definition: for every retrier of every state (those of Parallel and Map states included), the
 * sum of its waits, each `IntervalSeconds × BackoffRate^n` capped by `MaxDelaySeconds`, over its
 * `MaxAttempts` (the defaults: 1 s, 2.0, 3). An upper bound on what retries add to one execution:
 * the scenarios' deadlines, never a sleep.
 */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;

export function retryBudgetSeconds(definition: unknown): number {
  if (!isObject(definition) || !isObject(definition.States)) return 0;
  let total = 0;
  for (const state of Object.values(definition.States)) {
    if (!isObject(state)) continue;
    for (const retrier of Array.isArray(state.Retry) ? state.Retry.filter(isObject) : []) {
      total += retrierWaitSeconds(retrier);
    }
    const nested = [
      ...(Array.isArray(state.Branches) ? state.Branches : []),
      state.ItemProcessor,
      state.Iterator,
    ];
    for (const machine of nested) total += retryBudgetSeconds(machine);
  }
  return total;
}

export function retrierWaitSeconds(retrier: Json): number {
  const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
  const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
  const attempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
  const cap =
    typeof retrier.MaxDelaySeconds === 'number' ? retrier.MaxDelaySeconds : Number.POSITIVE_INFINITY;
  let total = 0;
  for (let retry = 0; retry < attempts; retry++) total += Math.min(interval * backoff ** retry, cap);
  return total;
}

/**
 * How long the workflow waits for a callback (the bank's transfer) before it gives up: the longest
 * `TimeoutSeconds` of its `.waitForTaskToken` tasks; undefined when none has one.
 */
export function callbackTimeoutSeconds(definition: unknown): number | undefined {
  if (!isObject(definition) || !isObject(definition.States)) return undefined;
  let longest: number | undefined;
  for (const state of Object.values(definition.States)) {
    if (!isObject(state)) continue;
    const waits = typeof state.Resource === 'string' && state.Resource.endsWith('.waitForTaskToken');
    const found = [
      waits && typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined,
      ...[...(Array.isArray(state.Branches) ? state.Branches : []), state.ItemProcessor, state.Iterator].map(
        callbackTimeoutSeconds,
      ),
    ].filter((seconds): seconds is number => seconds !== undefined);
    if (found.length > 0) longest = Math.max(longest ?? 0, ...found);
  }
  return longest;
}
