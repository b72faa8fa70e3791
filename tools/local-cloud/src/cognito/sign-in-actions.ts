import { CognitoError, incorrectCredentials, notEmulated, userNotFound } from './cognito-error.ts';
import { attributesOf, type LocalUserPool } from './local-user-pool.ts';
import { checkPassword, hashPassword, passwordMatches } from './password-policy.ts';
import { DEFAULT_AUTH_FLOWS, type UserPoolClientDefinition } from './user-pool-config.ts';
import type { StoredUser } from './user-store.ts';

/**
 * Signing in: InitiateAuth and AdminInitiateAuth with a password or a refresh token, and the
 * NEW_PASSWORD_REQUIRED challenge of a user an administrator created. SRP and custom flows are not
 * emulated: they are refused with what to use instead.
 */
type Input = Record<string, unknown>;
type Api = 'InitiateAuth' | 'AdminInitiateAuth';

/** Each flow an API takes, and the ExplicitAuthFlows values (new and legacy) that allow it. */
const PASSWORD_FLOWS: Record<Api, { flow: string; allowedBy: string[] }> = {
  InitiateAuth: { flow: 'USER_PASSWORD_AUTH', allowedBy: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'] },
  AdminInitiateAuth: {
    flow: 'ADMIN_USER_PASSWORD_AUTH',
    allowedBy: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  },
};
const REFRESH_FLOWS = new Set(['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']);
const NOT_EMULATED_FLOWS = new Set(['USER_SRP_AUTH', 'CUSTOM_AUTH', 'USER_AUTH']);

export async function initiateAuth(
  api: Api,
  pool: LocalUserPool,
  client: UserPoolClientDefinition,
  input: Input,
) {
  const flow = input.AuthFlow === 'ADMIN_NO_SRP_AUTH' ? 'ADMIN_USER_PASSWORD_AUTH' : input.AuthFlow;
  const parameters = (input.AuthParameters ?? {}) as Record<string, unknown>;
  const flows = client.explicitAuthFlows.length > 0 ? client.explicitAuthFlows : DEFAULT_AUTH_FLOWS;
  if (typeof flow === 'string' && NOT_EMULATED_FLOWS.has(flow)) {
    throw notEmulated(`${flow} (${api})`, insteadOfSrp(api, flows));
  }
  if (typeof flow === 'string' && REFRESH_FLOWS.has(flow)) {
    // Legacy flow settings always allowed refreshing; the ALLOW_ ones must say so.
    const legacy = !flows.some((allowed) => allowed.startsWith('ALLOW_'));
    if (!legacy && !flows.includes('ALLOW_REFRESH_TOKEN_AUTH')) throw flowNotEnabled('REFRESH_TOKEN_AUTH');
    return refresh(pool, client, parameters);
  }
  const password = PASSWORD_FLOWS[api];
  if (flow !== password.flow)
    throw new CognitoError('InvalidParameterException', 'Initiate Auth method not supported.');
  if (!password.allowedBy.some((allowed) => flows.includes(allowed))) throw flowNotEnabled(password.flow);
  const { USERNAME: username, PASSWORD: given } = parameters;
  if (typeof username !== 'string' || username === '') throw missing('USERNAME');
  if (typeof given !== 'string' || given === '') throw missing('PASSWORD');
  pool.checkSecretHash(client, username, parameters.SECRET_HASH);
  const user = pool.store.find(username);
  if (!user) throw client.preventUserExistenceErrors ? incorrectCredentials() : userNotFound();
  if (!passwordMatches(user.passwordHash, given)) throw incorrectCredentials();
  refuseDisabled(user);
  if (user.status === 'UNCONFIRMED')
    throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if ((user.temporaryPasswordExpiresAt ?? 0) <= Date.now()) {
      throw new CognitoError(
        'NotAuthorizedException',
        'Temporary password has expired and must be reset by an administrator.',
      );
    }
    return newPasswordChallenge(pool, client, user);
  }
  return { ChallengeParameters: {}, AuthenticationResult: await pool.signIn(user, client) };
}

export async function respondToAuthChallenge(
  pool: LocalUserPool,
  client: UserPoolClientDefinition,
  input: Input,
) {
  if (input.ChallengeName !== 'NEW_PASSWORD_REQUIRED') {
    throw notEmulated(
      `The ${String(input.ChallengeName)} challenge`,
      'the local user pool asks NEW_PASSWORD_REQUIRED only (no MFA, no custom challenges)',
    );
  }
  const responses = (input.ChallengeResponses ?? {}) as Record<string, unknown>;
  if (typeof responses.USERNAME !== 'string') throw missing('USERNAME');
  const user = pool.takeChallenge(client, input.Session);
  if (pool.store.find(responses.USERNAME) !== user) {
    throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
  }
  pool.checkSecretHash(client, responses.USERNAME, responses.SECRET_HASH);
  if (responses.NEW_PASSWORD === undefined) throw missing('NEW_PASSWORD');
  const password = checkPassword(pool.definition.passwordPolicy, responses.NEW_PASSWORD);
  for (const [key, value] of Object.entries(responses)) {
    if (key.startsWith('userAttributes.') && typeof value === 'string')
      user.attributes[key.slice(15)] = value;
  }
  const absent = requiredAbsent(pool, user);
  if (absent.length > 0) {
    throw new CognitoError('InvalidParameterException', `Missing required attributes: ${absent.join(', ')}`);
  }
  user.passwordHash = hashPassword(password);
  user.status = 'CONFIRMED';
  delete user.temporaryPasswordExpiresAt;
  user.modifiedAt = Date.now();
  pool.store.save();
  return { ChallengeParameters: {}, AuthenticationResult: await pool.signIn(user, client) };
}

/** REFRESH_TOKEN_AUTH: new ID and access tokens for the same sign-in; the refresh token stays the same. */
async function refresh(
  pool: LocalUserPool,
  client: UserPoolClientDefinition,
  parameters: Record<string, unknown>,
) {
  const token = parameters.REFRESH_TOKEN;
  if (typeof token !== 'string' || token === '') throw missing('REFRESH_TOKEN');
  const kept = pool.store.refreshToken(token);
  if (!kept || kept.clientId !== client.id)
    throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  if (kept.expiresAt <= Date.now())
    throw new CognitoError('NotAuthorizedException', 'Refresh Token has expired');
  const user = pool.store.all().find((candidate) => candidate.username === kept.username);
  if (!user) throw new CognitoError('NotAuthorizedException', 'Refresh Token has been revoked');
  refuseDisabled(user);
  pool.checkSecretHash(client, user.username, parameters.SECRET_HASH);
  const { authTime, originJti } = kept;
  return {
    ChallengeParameters: {},
    AuthenticationResult: await pool.tokens.issue(user, client, { authTime, originJti }),
  };
}

function newPasswordChallenge(pool: LocalUserPool, client: UserPoolClientDefinition, user: StoredUser) {
  const attributes = Object.fromEntries(
    attributesOf(user)
      .filter(({ Name }) => Name !== 'sub')
      .map(({ Name, Value }) => [Name, Value]),
  );
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: pool.startChallenge(client, user),
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.username,
      requiredAttributes: JSON.stringify(requiredAbsent(pool, user).map((name) => `userAttributes.${name}`)),
      userAttributes: JSON.stringify(attributes),
    },
  };
}

function requiredAbsent(pool: LocalUserPool, user: StoredUser): string[] {
  return pool.definition.requiredAttributes.filter((name) => user.attributes[name] === undefined);
}

function insteadOfSrp(api: Api, flows: string[]): string {
  const password = PASSWORD_FLOWS[api];
  return password.allowedBy.some((allowed) => flows.includes(allowed))
    ? `sign in with ${password.flow}, which this app client allows`
    : `sign in with ${password.flow}, which this app client must then allow (ExplicitAuthFlows), or sign a test user in in process`;
}

function refuseDisabled(user: StoredUser): void {
  if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
}

const flowNotEnabled = (flow: string) =>
  new CognitoError('InvalidParameterException', `${flow} flow not enabled for this client`);

const missing = (parameter: string) =>
  new CognitoError('InvalidParameterException', `Missing required parameter ${parameter}`);
