import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

/**
 * Logger and metrics of one function. Create it once, at module scope, so the cold start pays for
 * it once. The service name and metrics namespace come from the standard Powertools variables
 * (POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE) that infra sets per function.
 *
 * No Powertools Tracer: Lambda's active tracing records every invocation's segments without it, and
 * its X-Ray SDK and helpers were ~130 KiB of every bundle (docs/performance.md).
 */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function createObservability(): Observability {
  const logger = new Logger({ jsonReplacerFn: redactSecrets });
  // Metrics reports its own warnings (such as an invocation that recorded no metric) through the
  // function's logger, so they are structured JSON and follow POWERTOOLS_LOG_LEVEL.
  return { logger, metrics: new Metrics({ logger }) };
}

// Field names whose values are secrets wherever they appear: payment tokens, the workflow's task
// tokens (they resume a payment), credentials in headers, the webhook's signature, the sign-in
// tokens Cognito returns (IdToken, id_token, ...), secret values (SecretString) and passwords.
const SECRET_FIELD =
  /^(?:(?:payment|task|id|access|refresh)_?token|token|authorization|cookie|webhook-signature|secret(?:string)?|password)$/i;
// Secrets in free text, such as an error message that quotes one: payment tokens, JWTs (three
// base64url parts, the first a JSON object, so `eyJ`) and webhook secrets in their `whsec_` form.
// Each keeps its prefix, so that a reader still sees what was there.
const SECRETS_IN_TEXT = /\b(?:(tok_)\w+|(eyJ)[\w-]*\.[\w-]+\.[\w-]*|(whsec_)[\w+/=]+)/g;

/**
 * The logger's JSON replacer: no log line carries a secret, whoever wrote the line. Code should not
 * log tokens in the first place; this is the net under that rule, for every key of every entry.
 */
export function redactSecrets(key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_FIELD.test(key)) return '[REDACTED]';
  return typeof value === 'string' ? value.replace(SECRETS_IN_TEXT, '$1$2$3[REDACTED]') : value;
}

export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * Wraps a handler with what the Powertools middy middlewares did, in a few lines of our own (middy
 * and the middlewares were the last 2.5 KiB over the floor of the smallest functions): the Lambda
 * context on every log line and a fresh set of keys for each invocation, metrics flushed after
 * each one, errors included, with a cold-start metric. Events are never logged whole: they can
 * carry payment tokens, so POWERTOOLS_LOGGER_LOG_EVENT has no effect.
 */
export function withObservability<TEvent, TResult>(
  { logger, metrics }: Observability,
  handler: LambdaHandler<TEvent, TResult>,
): LambdaHandler<TEvent, TResult> {
  return async (event, context) => {
    logger.refreshSampleRateCalculation();
    logger.addContext(context);
    metrics.captureColdStartMetric(context.functionName);
    try {
      return await handler(event, context);
    } finally {
      metrics.publishStoredMetrics();
      logger.clearBuffer();
      logger.resetKeys();
    }
  };
}
