import type { UserPoolService } from '../cognito/user-pool-service.ts';
import { generateSecretString } from '../secretsmanager/generate-secret.ts';
import type { LocalSecret, SecretsManagerService } from '../secretsmanager/secrets-manager-service.ts';
import type { LocalModel, SecretModel } from '../template/local-model.ts';

/** Where a client signs in: a user pool, its app client, and the local endpoint (absent on AWS). */
export interface UserPoolTarget {
  region: string;
  userPoolId: string;
  clientId: string;
  /** The local user pool's endpoint; absent on AWS. */
  endpoint?: string;
}

/**
 * What the local cloud tells its users about identity: the templates' user pools and the one the
 * API trusts, a customer signed in process (tests, the soak, the flow page), and the secrets'
 * current values (the bank plays its part with the webhook's).
 */

export interface LocalIdentity {
  region: string;
  /** The local Cognito endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
  endpoint: string;
  userPools: {
    logicalId: string;
    id: string;
    name: string;
    arn: string;
    /** The `iss` of its tokens, which a JWT authorizer names. */
    issuer: string;
    clients: { logicalId: string; id: string; name: string }[];
  }[];
  /** The pool and app client the HTTP API's JWT authorizer trusts; undefined when no route has one. */
  apiUserPool?: UserPoolTarget;
  /**
   * A confirmed customer signed in to the API's app client (or `clientId`), created in process
   * with no invitation: `name` is an email, or `<name>@example.com`. Signing a name in again gives
   * it a new password and new tokens, and keeps its `sub`.
   */
  createCustomer(name: string, options?: { password?: string; clientId?: string }): Promise<LocalCustomer>;
}

export interface LocalCustomer {
  email: string;
  /** What the functions read as the customer id (`requestContext.authorizer.jwt.claims.sub`). */
  sub: string;
  password: string;
  /** `Authorization: Bearer <accessToken>` on the API's customer routes. */
  accessToken: string;
  idToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface LocalSecrets {
  /** The local Secrets Manager endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER). */
  endpoint: string;
  list: { logicalId: string; name: string; arn: string }[];
  /**
   * The current value of a secret, by its construct id (`BankWebhookSecret`), logical id, name or
   * ARN; an unknown one throws.
   */
  value(ref: string): string;
  /**
   * The current value of the secret the function of an API route without authorizer reads (the
   * bank webhook's), read anew on each call so a rotation (PutSecretValue) is seen; undefined when
   * the templates have no such route.
   */
  webhookSecret(): string | undefined;
}

/** A template's secret as the local Secrets Manager takes it (a JSON value when a key is generated into a template). */
export function localSecret(secret: SecretModel): LocalSecret {
  const { name, arn, value, generate, generateInto } = secret;
  if (value !== undefined) return { name, arn, value };
  if (generateInto) {
    const json = {
      ...(JSON.parse(generateInto.template) as object),
      [generateInto.key]: generateSecretString(generate),
    };
    return { name, arn, value: JSON.stringify(json) };
  }
  return { name, arn, ...(generate ? { generate } : {}) };
}

export function localIdentity(model: LocalModel, userPools: UserPoolService, region: string): LocalIdentity {
  const trusted = model.routes.find((route) => route.authorizer)?.authorizer;
  const pool = trusted && model.userPools.find((candidate) => candidate.issuer === trusted.issuer);
  const client = pool?.clients.find((candidate) => trusted?.audience.includes(candidate.id));
  const apiUserPool =
    pool && client
      ? { region, userPoolId: pool.id, clientId: client.id, endpoint: userPools.endpoint }
      : undefined;
  return {
    region,
    endpoint: userPools.endpoint,
    userPools: model.userPools.map(({ logicalId, id, name, arn, issuer, clients }) => ({
      logicalId,
      id,
      name,
      arn,
      issuer,
      clients: clients.map((each) => ({ logicalId: each.logicalId, id: each.id, name: each.name })),
    })),
    ...(apiUserPool ? { apiUserPool } : {}),
    async createCustomer(name, options = {}) {
      const clientId = options.clientId ?? apiUserPool?.clientId;
      if (!clientId)
        throw new Error('No HTTP route has a JWT authorizer: pass the clientId to sign the customer in to');
      const email = name.includes('@') ? name : `${name}@example.com`;
      const user = await userPools.signInTestUser({
        clientId,
        name: email,
        ...(options.password ? { password: options.password } : {}),
      });
      const { sub, password, accessToken, idToken, refreshToken, expiresIn } = user;
      return { email, sub, password, accessToken, idToken, refreshToken, expiresIn };
    },
  };
}

export function localSecrets(model: LocalModel, secretsManager: SecretsManagerService): LocalSecrets {
  const find = (ref: string) =>
    model.secrets.find(
      ({ logicalId, name, arn }) =>
        [arn, name, logicalId].includes(ref) ||
        // The construct id: the logical id without the 8 hex digits CDK appends.
        (logicalId.startsWith(ref) && /^[0-9A-F]{8}$/.test(logicalId.slice(ref.length))),
    );
  const value = (ref: string) => {
    const secret = find(ref);
    const current = secret && secretsManager.currentValue(secret.arn);
    if (current === undefined) {
      throw new Error(
        `No local secret ${ref} (there are ${model.secrets.map(({ name }) => name).join(', ') || 'none'})`,
      );
    }
    return current;
  };
  // A webhook carries no customer token: its route has no authorizer, and its function reads the secret.
  const open = new Set(model.routes.filter((route) => !route.authorizer).map((route) => route.functionName));
  const readers = model.functions
    .filter((fn) => open.has(fn.name))
    .flatMap((fn) => Object.values(fn.environment));
  const webhook = model.secrets.find((secret) => readers.includes(secret.arn));
  return {
    endpoint: secretsManager.endpoint,
    list: model.secrets.map(({ logicalId, name, arn }) => ({ logicalId, name, arn })),
    value,
    webhookSecret: () => (webhook ? value(webhook.arn) : undefined),
  };
}
