import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ServiceLog } from '../kit/service-log.ts';
import { CognitoError } from './cognito-error.ts';
import { type IssuedTokens, type SignInSession, TokenIssuer } from './token-issuer.ts';
import type { UserPoolClientDefinition, UserPoolDefinition } from './user-pool-config.ts';
import { userPoolIssuer } from './user-pool-config.ts';
import { hashToken, type StoredUser, UserStore } from './user-store.ts';

/**
 * One local user pool: its definition, users, signing key and the sign-in sessions of its
 * challenges, with what the actions share (the user as the API returns it, SECRET_HASH, issuing
 * a sign-in's tokens).
 */
/** What an API action returns for a user (`UserType`): dates in epoch seconds on the wire. */
export interface UserType {
  Username: string;
  Attributes: { Name: string; Value: string }[];
  UserCreateDate: Date;
  UserLastModifiedDate: Date;
  Enabled: boolean;
  UserStatus: string;
}

interface ChallengeSession {
  clientId: string;
  username: string;
  expiresAt: number;
}

/** Cognito's sessions between an auth challenge and its answer last three minutes. */
const SESSION_MS = 3 * 60_000;

export class LocalUserPool {
  readonly definition: UserPoolDefinition;
  readonly store: UserStore;
  readonly tokens: TokenIssuer;
  readonly log: ServiceLog;
  readonly #sessions = new Map<string, ChallengeSession>();

  static async open(
    definition: UserPoolDefinition,
    dir: string | undefined,
    log: ServiceLog,
    newKey: Parameters<typeof UserStore.open>[2],
  ) {
    const store = await UserStore.open(definition, dir, newKey);
    const tokens = await TokenIssuer.create(userPoolIssuer(definition.id), store.signingKey);
    return new LocalUserPool(definition, store, tokens, log);
  }

  private constructor(
    definition: UserPoolDefinition,
    store: UserStore,
    tokens: TokenIssuer,
    log: ServiceLog,
  ) {
    this.definition = definition;
    this.store = store;
    this.tokens = tokens;
    this.log = log;
  }

  client(clientId: unknown): UserPoolClientDefinition | undefined {
    return this.definition.clients.find((client) => client.id === clientId);
  }

  /** The user a name designates, or UserNotFoundException (the admin actions' answer). */
  user(name: unknown): StoredUser {
    const user = this.store.find(name);
    if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return user;
  }

  /** Checks SECRET_HASH (Base64 of HMAC-SHA256 of username + client id, keyed with the client secret). */
  checkSecretHash(client: UserPoolClientDefinition, username: unknown, secretHash: unknown): void {
    if (client.secret === undefined) return;
    if (typeof secretHash !== 'string' || secretHash === '') {
      throw new CognitoError(
        'NotAuthorizedException',
        `Client ${client.id} is configured with secret but SECRET_HASH was not received`,
      );
    }
    const expected = createHmac('sha256', client.secret)
      .update(`${String(username)}${client.id}`)
      .digest();
    const given = Buffer.from(secretHash, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CognitoError(
        'NotAuthorizedException',
        `Unable to verify secret hash for client ${client.id}`,
      );
    }
  }

  /** A new sign-in: ID and access tokens, and a refresh token the pool keeps (hashed) until it expires. */
  async signIn(
    user: StoredUser,
    client: UserPoolClientDefinition,
  ): Promise<IssuedTokens & { RefreshToken: string }> {
    const session: SignInSession = { authTime: Math.floor(Date.now() / 1000), originJti: randomUUID() };
    const tokens = await this.tokens.issue(user, client, session);
    const refreshToken = randomBytes(96).toString('base64url');
    this.store.addRefreshToken({
      hash: hashToken(refreshToken),
      username: user.username,
      clientId: client.id,
      expiresAt: Date.now() + client.tokenValidity.refreshSeconds * 1000,
      ...session,
    });
    this.log.info(`${this.definition.name}: ${user.username} signed in to app client ${client.name}`, {
      userPoolId: this.definition.id,
      clientId: client.id,
      sub: user.sub,
    });
    return { ...tokens, RefreshToken: refreshToken };
  }

  startChallenge(client: UserPoolClientDefinition, user: StoredUser): string {
    const now = Date.now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
    const id = randomBytes(64).toString('base64');
    this.#sessions.set(id, { clientId: client.id, username: user.username, expiresAt: now + SESSION_MS });
    return id;
  }

  /** Ends a challenge's session and returns its user; a session that is unknown, spent or expired is refused. */
  takeChallenge(client: UserPoolClientDefinition, session: unknown): StoredUser {
    const kept = typeof session === 'string' ? this.#sessions.get(session) : undefined;
    const user = kept && this.store.find(kept.username);
    if (!kept || !user || kept.clientId !== client.id || kept.expiresAt <= Date.now()) {
      throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    }
    this.#sessions.delete(session as string);
    return user;
  }
}

export function attributesOf(user: StoredUser, only?: readonly string[]): { Name: string; Value: string }[] {
  return [['sub', user.sub] as const, ...Object.entries(user.attributes)]
    .filter(([name]) => !only || only.includes(name))
    .map(([Name, Value]) => ({ Name, Value }));
}

export function userType(user: StoredUser, only?: readonly string[]): UserType {
  return {
    Username: user.username,
    Attributes: attributesOf(user, only),
    UserCreateDate: new Date(user.createdAt),
    UserLastModifiedDate: new Date(user.modifiedAt),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}
