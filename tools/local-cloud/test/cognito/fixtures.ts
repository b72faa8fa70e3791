import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach } from 'vitest';
import {
  createUserPoolService,
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_TOKEN_VALIDITY,
  type UserPoolClientDefinition,
  type UserPoolDefinition,
  type UserPoolService,
} from '../../src/cognito/user-pool-service.ts';
import type { LogEntry } from '../../src/contracts.ts';

/**
 * A customer pool shaped as the app's template makes it (email as username, email verified by a
 * code, a strong policy), its client (USER_PASSWORD_AUTH, SRP, refresh) and the real SDK client.
 */
export const POOL_ID = 'eu-west-1_Cust0mer1';
export const CLIENT_ID = 'customerclient000000000001';
export const ADMIN_CLIENT_ID = 'adminclient000000000000001';
export const SECRET_CLIENT_ID = 'secretclient00000000000001';
export const STRICT_CLIENT_ID = 'strictclient00000000000001';
export const CLIENT_SECRET = 'local-client-secret';
export const PASSWORD = 'Correct-Horse-7';

export const aClient = (overrides: Partial<UserPoolClientDefinition> = {}): UserPoolClientDefinition => ({
  id: CLIENT_ID,
  name: 'CustomerUserPoolClient',
  explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  tokenValidity: DEFAULT_TOKEN_VALIDITY,
  preventUserExistenceErrors: false,
  ...overrides,
});

export const aPool = (overrides: Partial<UserPoolDefinition> = {}): UserPoolDefinition => ({
  id: POOL_ID,
  name: 'CustomerUserPool',
  usernameAttributes: ['email'],
  aliasAttributes: [],
  autoVerifiedAttributes: ['email'],
  requiredAttributes: [],
  passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, minimumLength: 12 },
  allowAdminCreateUserOnly: false,
  usernameCaseSensitive: false,
  clients: [
    aClient(),
    aClient({
      id: ADMIN_CLIENT_ID,
      name: 'AdminClient',
      explicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      tokenValidity: { accessSeconds: 300, idSeconds: 600, refreshSeconds: 3600 },
    }),
    aClient({ id: SECRET_CLIENT_ID, name: 'SecretClient', secret: CLIENT_SECRET }),
    aClient({ id: STRICT_CLIENT_ID, name: 'StrictClient', preventUserExistenceErrors: true }),
  ],
  ...overrides,
});

const running: { service: UserPoolService; client: CognitoIdentityProviderClient }[] = [];

afterEach(async () => {
  for (const { service, client } of running.splice(0)) {
    client.destroy();
    await service.stop();
  }
});

export async function startUserPools(options: { pools?: UserPoolDefinition[]; persistDir?: string } = {}) {
  const logs: LogEntry[] = [];
  const service = await createUserPoolService({
    userPools: options.pools ?? [aPool()],
    log: (entry) => logs.push(entry),
    ...(options.persistDir ? { persistDir: options.persistDir } : {}),
  });
  const client = new CognitoIdentityProviderClient({
    endpoint: service.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  running.push({ service, client });
  /** The confirmation code the pool logged for this address (no mail is sent locally). */
  const codeFor = (email: string) => {
    const line = logs.findLast((entry) => entry.message.includes(`confirmation code for ${email} is`));
    const code = /is (\d{6})/.exec(line?.message ?? '')?.[1];
    if (!code) throw new Error(`No confirmation code was logged for ${email}`);
    return code;
  };
  return { service, client, logs, codeFor };
}

export const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'cognito-'));
