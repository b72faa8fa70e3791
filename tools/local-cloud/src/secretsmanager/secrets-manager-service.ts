import type { LocalService, LogSink } from '../contracts.ts';
import { startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { serviceLog } from '../kit/service-log.ts';
import { apiActions } from './api-actions.ts';
import { type GenerateSecretRules, generateSecretString } from './generate-secret.ts';
import { current, SecretStore } from './secret-store.ts';

/**
 * The local Secrets Manager: the secrets of the synthesized template (or of a test run) behind an
 * endpoint that speaks the Secrets Manager API (AWS JSON 1.1) to the real AWS SDK: GetSecretValue,
 * PutSecretValue and DescribeSecret, and CreateSecret for the services' tests. PutSecretValue is a
 * rotation as on AWS: the new version becomes AWSCURRENT, the one before it AWSPREVIOUS.
 */
export interface LocalSecret {
  /** e.g. serverless-commerce-local-bank-webhook */
  name: string;
  /** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>` */
  arn: string;
  /** When absent, generated from `generate`, as CloudFormation's GenerateSecretString does. */
  value?: string;
  generate?: GenerateSecretRules;
}

export interface SecretsManagerServiceOptions {
  secrets: LocalSecret[];
  log: LogSink;
  region: string;
  accountId: string;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  port?: number;
  /**
   * Keeps values and their versions in this folder across restarts (`--persist`): a secret rotated
   * with PutSecretValue keeps its new value, and a generated one is not generated again.
   */
  persistDir?: string;
  /** Also serve CreateSecret, so that each test file creates its own secret with the real client. */
  acceptsResourceChanges?: boolean;
}

export interface SecretsManagerService extends LocalService {
  /** The AWSCURRENT value of a secret, by name or ARN (the local cloud prints it in its banner). */
  currentValue(nameOrArn: string): string | undefined;
}

export async function createSecretsManagerService(
  options: SecretsManagerServiceOptions,
): Promise<SecretsManagerService> {
  const log = serviceLog(options.log, 'secretsmanager');
  const store = SecretStore.open(options.persistDir);
  for (const secret of options.secrets) {
    const kept = store.byName(secret.name);
    if (kept) store.adopt(kept, secret);
    else {
      const value = secret.value ?? generateSecretString(secret.generate);
      store.create({ arn: secret.arn, name: secret.name }, { secretString: value });
    }
  }

  const actions = apiActions({
    store,
    region: options.region,
    accountId: options.accountId,
    log,
  });
  if (!options.acceptsResourceChanges) delete actions.CreateSecret;

  const server = await startJsonProtocolServer({
    targetPrefix: 'secretsmanager',
    serviceName: 'Secrets Manager',
    protocolVersion: '1.1',
    errorMessageMember: 'Message',
    port: options.port,
    actions,
    log,
  });

  return {
    endpoint: server.endpoint,
    currentValue(nameOrArn) {
      const secret = store.find(nameOrArn);
      return secret && current(secret)?.secretString;
    },
    stop: () => server.close(),
  };
}
