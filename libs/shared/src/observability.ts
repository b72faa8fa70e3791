import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Logger, tracer and metrics of one function. Create it once, at module scope, so the cold start
 * pays for it once. The service name and metrics namespace come from the standard Powertools
 * variables (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE) that infra sets per function.
 */
export interface Observability {
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: Metrics;
}

export function createObservability(): Observability {
  const logger = new Logger({ jsonReplacerFn: redactSecrets });
  // Metrics reports its own warnings (such as an invocation that recorded no metric) through the
  // function's logger, so they are structured JSON and follow POWERTOOLS_LOG_LEVEL.
  return { logger, tracer: new Tracer(), metrics: new Metrics({ logger }) };
}

// Field names whose values are secrets wherever they appear: payment tokens, the workflow's task
// tokens (they resume a payment) and credentials in headers.
const SECRET_FIELDS = new Set(['token', 'paymenttoken', 'tasktoken', 'authorization', 'cookie']);
// Payment tokens in free text, such as an error message that quotes one.
const PAYMENT_TOKEN = /\btok_[A-Za-z0-9_]+/g;

/**
 * The logger's JSON replacer: no log line carries a secret, whoever wrote the line. Code should not
 * log tokens in the first place; this is the net under that rule, for every key of every entry.
 */
export function redactSecrets(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_FIELDS.has(key.toLowerCase())) return '[REDACTED]';
  if (typeof value === 'string' && value.includes('tok_'))
    return value.replace(PAYMENT_TOKEN, 'tok_[REDACTED]');
  return value;
}

export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * Wraps a handler with the Powertools middlewares: Lambda context and a fresh set of keys on every
 * log line, a traced handler segment, metrics flushed after each invocation with a cold-start metric.
 * Events are never logged whole: they can carry payment tokens.
 */
export function withObservability<TEvent, TResult>(
  { logger, tracer, metrics }: Observability,
  handler: LambdaHandler<TEvent, TResult>,
): LambdaHandler<TEvent, TResult> {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as LambdaHandler<TEvent, TResult>;
}
