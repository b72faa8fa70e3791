import { MetricUnit } from '@aws-lambda-powertools/metrics';
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
  const { logger, metrics } = observability;
  return withObservability(observability, async (event) => {
    const input = options.parse(event);
    logger.setCorrelationId(input.correlationId);
    try {
      const output = await options.handle(input);
      metrics.addMetric('TasksSucceeded', MetricUnit.Count, 1);
      return output;
    } catch (error) {
      metrics.addMetric('TasksFailed', MetricUnit.Count, 1);
      logger.warn('Task failed', { errorName: (error as Error).name, reason: (error as Error).message });
      throw error;
    }
  });
}
