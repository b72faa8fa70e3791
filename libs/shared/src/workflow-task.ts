import type { LambdaHandler, Observability } from './observability.ts';
import { withObservability } from './observability.ts';

/**
 * The one wrapper for Step Functions task functions: plain input in, plain output out. Errors are
 * thrown with a meaningful `name` (for example `ProviderUnavailableError` or `CardDeclinedError`):
 * Lambda reports it as the error type, and the state machine's Retry and Catch match on it.
 */
export function workflowTask<TInput extends { correlationId: string }, TOutput>(
  observability: Observability,
  options: {
    parse: (input: unknown) => TInput;
    handle: (input: TInput) => Promise<TOutput>;
  },
): LambdaHandler<unknown, TOutput> {
  const { logger } = observability;
  return withObservability(observability, async (event) => {
    const input = options.parse(event);
    logger.setCorrelationId(input.correlationId);
    try {
      return await options.handle(input);
    } catch (error) {
      logger.warn('Task failed', { errorName: (error as Error).name, reason: (error as Error).message });
      throw error;
    }
  });
}
