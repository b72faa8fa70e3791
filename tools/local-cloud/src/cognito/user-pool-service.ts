import type { JSONWebKeySet } from 'jose';
import type { LocalService, LogSink } from '../contracts.ts';
import { startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { serviceLog } from '../kit/service-log.ts';
import { apiActions, clientOf, poolOfIssuer, type UserPools } from './api-actions.ts';
import { CognitoError } from './cognito-error.ts';
import { LocalUserPool } from './local-user-pool.ts';
import { temporaryPassword } from './password-policy.ts';
import { newSigningKey } from './token-issuer.ts';
import { adminCreateUser, adminSetUserPassword } from './user-actions.ts';
import { checkDefinition, type UserPoolDefinition } from './user-pool-config.ts';

export { CognitoError } from './cognito-error.ts';
export { type JwtRefusal, type JwtVerification, verifyJwt } from './jwt-verifier.ts';
export * from './user-pool-config.ts';

/**
 * The local Cognito user pools: the Cognito Identity Provider API (AWS JSON 1.1) for the real
 * `CognitoIdentityProviderClient`, with RS256 tokens whose `iss` is the pool's real Cognito URL,
 * so the API's JWT authorizer accepts them unchanged. Each pool's JWKS is served on the endpoint
 * and handed in process to the local API Gateway.
 */
export interface UserPoolServiceOptions {
  userPools: UserPoolDefinition[];
  log: LogSink;
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Users, signing keys and refresh tokens survive a restart in this folder (one file per pool). */
  persistDir?: string;
}

export interface SignedInUser {
  /** Cognito's username: the `sub` when the pool signs in with email. */
  username: string;
  sub: string;
  /** The name the user signs in with (the email, in an email pool). */
  signInName: string;
  password: string;
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface UserPoolService extends LocalService {
  readonly userPools: readonly UserPoolDefinition[];
  /** The public keys of the local pool whose tokens carry this `iss`; undefined when no local pool has it. */
  jwks(issuer: string): JSONWebKeySet | undefined;
  /** An action in process, with the endpoint's checks and errors (thrown as CognitoError). */
  call(action: string, input: Record<string, unknown>): Promise<unknown>;
  /**
   * A confirmed user with a permanent password, signed in to the app client: created (no
   * invitation) or, when the name is taken, given the password again. For tests, the soak and the
   * flow page; it signs in whatever flows the client allows, as a hosted sign-in page would.
   */
  signInTestUser(options: {
    clientId: string;
    name: string;
    password?: string;
    attributes?: Record<string, string>;
  }): Promise<SignedInUser>;
}

const WELL_KNOWN = /^\/([^/]+)\/\.well-known\/([a-z-]+(?:\.json)?)$/;

export async function createUserPoolService(options: UserPoolServiceOptions): Promise<UserPoolService> {
  const log = serviceLog(options.log, 'cognito');
  const pools = new Map<string, LocalUserPool>();
  for (const definition of options.userPools) {
    checkDefinition(definition);
    if (pools.has(definition.id)) throw new Error(`User pool ${definition.id} is given twice`);
    pools.set(definition.id, await LocalUserPool.open(definition, options.persistDir, log, newSigningKey));
  }
  const actions = apiActions(pools);

  const notServed = (action: string) =>
    new CognitoError(
      'UnknownOperationException',
      `${action} is not emulated by the local user pool; it serves ${Object.keys(actions).join(', ')}`,
    );
  const call = async (action: string, input: Record<string, unknown>): Promise<unknown> => {
    const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
    try {
      if (!run) throw notServed(action);
      return await run(input);
    } catch (error) {
      // What is not emulated is said in the log too, where a developer looks when a sign-in fails.
      if (
        error instanceof CognitoError &&
        (error.code === 'UnknownOperationException' || error.code === 'UnsupportedOperationException')
      ) {
        log.warn(error.message, { action });
      }
      throw error;
    }
  };

  // Every request goes through `call`, which logs what is not emulated.
  const server = await startJsonProtocolServer({
    targetPrefix: 'AWSCognitoIdentityProviderService',
    protocolVersion: '1.1',
    serviceName: 'user pool',
    actions: Object.fromEntries(
      Object.keys(actions).map((action) => [action, (input: Record<string, unknown>) => call(action, input)]),
    ),
    refuseAction: (action) => {
      const error = notServed(action);
      log.warn(error.message, { action });
      return error;
    },
    documents: (path, endpoint) => wellKnownDocument(pools, path, endpoint),
    port: options.port,
    host: options.host,
    log,
  });
  log.info(`User pools ${[...pools.keys()].join(', ') || '(none)'} on ${server.endpoint}`);

  return {
    endpoint: server.endpoint,
    userPools: options.userPools,
    jwks: (issuer) => poolOfIssuer(pools, issuer)?.tokens.jwks(),
    call,
    signInTestUser: (user) => signInTestUser(pools, user),
    stop: () => server.close(),
  };
}

/** See UserPoolService.signInTestUser. */
async function signInTestUser(
  pools: UserPools,
  options: Parameters<UserPoolService['signInTestUser']>[0],
): Promise<SignedInUser> {
  const { clientId, name, password: given, attributes = {} } = options;
  const { pool, client } = clientOf(pools, clientId);
  const password = given ?? temporaryPassword(pool.definition.passwordPolicy);
  if (!pool.store.find(name)) {
    const verified = pool.definition.usernameAttributes.includes('email') ? { email_verified: 'true' } : {};
    adminCreateUser(pool, {
      Username: name,
      MessageAction: 'SUPPRESS',
      UserAttributes: Object.entries({ ...verified, ...attributes }).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    });
  }
  adminSetUserPassword(pool, { Username: name, Password: password, Permanent: true });
  const user = pool.user(name);
  const tokens = await pool.signIn(user, client);
  return {
    username: user.username,
    sub: user.sub,
    signInName: name,
    password,
    idToken: tokens.IdToken,
    accessToken: tokens.AccessToken,
    refreshToken: tokens.RefreshToken,
    expiresIn: tokens.ExpiresIn,
  };
}

/** Each pool's `/<poolId>/.well-known/jwks.json` and `openid-configuration`, as Cognito serves them. */
function wellKnownDocument(pools: UserPools, path: string, endpoint: string): unknown {
  const [, poolId = '', name] = WELL_KNOWN.exec(path) ?? [];
  const pool = pools.get(poolId);
  if (!pool) return undefined;
  if (name === 'jwks.json') return pool.tokens.jwks();
  if (name !== 'openid-configuration') return undefined;
  return openIdConfiguration(pool.tokens.issuer, `${endpoint}/${poolId}/.well-known/jwks.json`);
}

/** The discovery document, with the local JWKS address; the hosted UI's endpoints are not emulated. */
function openIdConfiguration(issuer: string, jwksUri: string) {
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}
