import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { readEnv } from '@shop/shared/config';
import { InvalidSignatureError } from '@shop/shared/errors';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { observability } from '#observability';
import type { BankWebhookVerifier } from '../domain/ports.ts';

const { logger, metrics } = observability;
const { secretArn } = readEnv({ secretArn: 'BANK_WEBHOOK_SECRET_ARN' });
const secrets = new SecretsProvider({
  awsSdkV3Client: new SecretsManagerClient(awsClientConfig('secretsmanager')),
});
/** A rotated secret is picked up within this many seconds, by every running instance. */
const SECRET_MAX_AGE_SECONDS = 300;
const HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

let verifier: { secret: string; webhook: Webhook } | undefined;
async function currentWebhook(): Promise<Webhook> {
  const secret = await secrets.get(secretArn, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof secret !== 'string') throw new Error('The bank webhook secret has no string value');
  if (verifier?.secret !== secret) verifier = { secret, webhook: new Webhook(secret) };
  return verifier.webhook;
}

/** Standard Webhooks verification with the stage's secret, read from Secrets Manager. */
export const bankWebhook: BankWebhookVerifier = {
  async verify(request) {
    const webhook = await currentWebhook();
    const headers: Record<string, string> = {};
    for (const name of HEADERS) {
      const value = request.header(name);
      if (value !== undefined) headers[name] = value;
    }
    try {
      // The body is read by the strict JSON reader once it is known to be the bank's.
      webhook.verify(request.text(), headers, { jsonParse: false });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      // The reason and the message id help the bank find the request; the signature is never logged.
      logger.warn('Webhook signature rejected', {
        reason: error.message,
        webhookId: headers['webhook-id'],
        webhookTimestamp: headers['webhook-timestamp'],
      });
      metrics.addMetric('WebhookSignatureRejected', 'Count', 1);
      throw new InvalidSignatureError('The webhook signature is missing, invalid or expired');
    }
  },
};
