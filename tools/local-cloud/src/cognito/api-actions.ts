import { decodeJwt } from 'jose';
import type { ApiAction } from '../kit/json-protocol-server.ts';
import { CognitoError } from './cognito-error.ts';
import { attributesOf, type LocalUserPool } from './local-user-pool.ts';
import { initiateAuth, respondToAuthChallenge } from './sign-in-actions.ts';
import {
  adminConfirmSignUp,
  adminCreateUser,
  adminDeleteUser,
  adminGetUser,
  adminSetUserPassword,
  confirmSignUp,
  listUsers,
  signUp,
} from './user-actions.ts';
import type { UserPoolClientDefinition } from './user-pool-config.ts';

/**
 * The Cognito Identity Provider actions the local user pools serve, each given the pool its
 * request names (by `UserPoolId`, or by the app client's `ClientId`) with AWS's errors when none
 * does. Everything else is refused as not emulated.
 */
export type UserPools = ReadonlyMap<string, LocalUserPool>;

type Input = Record<string, unknown>;
type ClientAction = (pool: LocalUserPool, client: UserPoolClientDefinition, input: Input) => unknown;

export function apiActions(pools: UserPools): Record<string, ApiAction> {
  const byClient = (run: ClientAction) => async (input: Input) => {
    const { pool, client } = clientOf(pools, input.ClientId);
    return run(pool, client, input);
  };
  const byPool = (run: (pool: LocalUserPool, input: Input) => unknown) => async (input: Input) =>
    run(poolOf(pools, input.UserPoolId), input);
  const byAdminClient = (run: ClientAction) =>
    byPool((pool, input) => run(pool, clientOf(pools, input.ClientId, pool).client, input));
  return {
    SignUp: byClient(signUp),
    ConfirmSignUp: byClient(confirmSignUp),
    InitiateAuth: byClient((pool, client, input) => initiateAuth('InitiateAuth', pool, client, input)),
    RespondToAuthChallenge: byClient(respondToAuthChallenge),
    GetUser: (input) => getUser(pools, input),
    AdminCreateUser: byPool(adminCreateUser),
    AdminSetUserPassword: byPool(adminSetUserPassword),
    AdminConfirmSignUp: byPool(adminConfirmSignUp),
    AdminInitiateAuth: byAdminClient((pool, client, input) =>
      initiateAuth('AdminInitiateAuth', pool, client, input),
    ),
    AdminRespondToAuthChallenge: byAdminClient(respondToAuthChallenge),
    AdminGetUser: byPool(adminGetUser),
    AdminDeleteUser: byPool(adminDeleteUser),
    ListUsers: byPool(listUsers),
  };
}

/** The app client of this id, in `pool` or in any pool, with its pool. */
export function clientOf(
  pools: UserPools,
  clientId: unknown,
  pool?: LocalUserPool,
): { pool: LocalUserPool; client: UserPoolClientDefinition } {
  for (const candidate of pool ? [pool] : pools.values()) {
    const client = candidate.client(clientId);
    if (client) return { pool: candidate, client };
  }
  throw new CognitoError('ResourceNotFoundException', `User pool client ${String(clientId)} does not exist.`);
}

/** The pool whose tokens carry this `iss`. */
export function poolOfIssuer(pools: UserPools, issuer: unknown): LocalUserPool | undefined {
  return [...pools.values()].find((pool) => pool.tokens.issuer === issuer);
}

function poolOf(pools: UserPools, poolId: unknown): LocalUserPool {
  const pool = typeof poolId === 'string' ? pools.get(poolId) : undefined;
  if (!pool)
    throw new CognitoError('ResourceNotFoundException', `User pool ${String(poolId)} does not exist.`);
  return pool;
}

/** GetUser: the pool is the one whose key signed the access token. */
async function getUser(pools: UserPools, input: Input) {
  const invalid = new CognitoError('NotAuthorizedException', 'Invalid Access Token');
  let issuer: unknown;
  try {
    issuer = decodeJwt(String(input.AccessToken)).iss;
  } catch {
    throw invalid;
  }
  const pool = poolOfIssuer(pools, issuer);
  if (!pool) throw invalid;
  const { username } = await pool.tokens.verifyAccessToken(input.AccessToken);
  const user = pool.store.all().find((candidate) => candidate.username === username);
  if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
  if (!user.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
  return { Username: user.username, UserAttributes: attributesOf(user) };
}
