import { randomBytes, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '@shop/shared/aws-clients';

/** A webhook secret as the stage's is: random bytes in base64, the form Standard Webhooks reads. */
export const aWebhookSecret = () => randomBytes(32).toString('base64');

export interface TestWebhookSecret {
  arn: string;
  value: string;
  /** Puts a new value (PutSecretValue: the new version AWSCURRENT), as the runbook's rotation does. */
  rotate(value: string): Promise<void>;
}

/**
 * Creates a uniquely named secret on the test Secrets Manager and sets `envVar` to its ARN, as infra
 * sets BANK_WEBHOOK_SECRET_ARN on the function.
 */
export async function createWebhookSecret(envVar = 'BANK_WEBHOOK_SECRET_ARN'): Promise<TestWebhookSecret> {
  const client = new SecretsManagerClient(awsClientConfig('secretsmanager'));
  const value = aWebhookSecret();
  const { ARN } = await client.send(
    new CreateSecretCommand({ Name: `bank-webhook-${randomUUID().slice(0, 8)}`, SecretString: value }),
  );
  const arn = ARN as string;
  process.env[envVar] = arn;
  return {
    arn,
    value,
    async rotate(next) {
      await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: next }));
    },
  };
}
