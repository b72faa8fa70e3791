import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  SignJWT,
} from 'jose';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

import { CognitoError } from './cognito-error.ts';
import { verifyJwt } from './jwt-verifier.ts';
import type { UserPoolClientDefinition } from './user-pool-config.ts';
import type { StoredUser } from './user-store.ts';

/**
 * Signs a pool's ID and access tokens (RS256, one key per pool, named by `kid`) with the claims
 * Cognito puts in them, and publishes the public key as the pool's JWKS.
 */
export interface SignInSession {
  /** Epoch seconds of the sign-in; refreshed tokens keep it. */
  authTime: number;
  /** The jti of the sign-in's first tokens; refreshed tokens keep it too. */
  originJti: string;
}

export interface IssuedTokens {
  IdToken: string;
  AccessToken: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

const ALGORITHM = 'RS256';
/** The scope Cognito grants tokens from its own API sign-in (no OAuth scopes asked). */
const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/** A new private key with its `kid` (the thumbprint of its public half). */
export async function newSigningKey(): Promise<JWK> {
  const { privateKey, publicKey } = await generateKeyPair(ALGORITHM, { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM, use: 'sig' };
}

export class TokenIssuer {
  readonly issuer: string;
  readonly #kid: string;
  readonly #key: SigningKey;
  readonly #jwks: JSONWebKeySet;

  static async create(issuer: string, signingKey: JWK): Promise<TokenIssuer> {
    const { kty, n, e, kid } = signingKey;
    if (kty !== 'RSA' || !n || !e || !kid) throw new Error(`The signing key of ${issuer} is not an RSA key`);
    const publicKey: JWK = { alg: ALGORITHM, e, kid, kty, n, use: 'sig' };
    return new TokenIssuer(issuer, kid, await importJWK(signingKey, ALGORITHM), { keys: [publicKey] });
  }

  private constructor(issuer: string, kid: string, key: SigningKey, jwks: JSONWebKeySet) {
    this.issuer = issuer;
    this.#kid = kid;
    this.#key = key;
    this.#jwks = jwks;
  }

  /** The public keys, as `/.well-known/jwks.json` serves them. */
  jwks(): JSONWebKeySet {
    return structuredClone(this.#jwks);
  }

  async issue(
    user: StoredUser,
    client: UserPoolClientDefinition,
    session: SignInSession,
  ): Promise<IssuedTokens> {
    const now = Math.floor(Date.now() / 1000);
    const common = {
      sub: user.sub,
      origin_jti: session.originJti,
      event_id: randomUUID(),
      auth_time: session.authTime,
    };
    const attributes = Object.fromEntries(
      Object.entries(user.attributes).map(([name, value]) => [
        name,
        BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value,
      ]),
    );
    const idToken = await this.#sign(
      { ...attributes, ...common, aud: client.id, token_use: 'id', 'cognito:username': user.username },
      now,
      client.tokenValidity.idSeconds,
    );
    const accessToken = await this.#sign(
      { ...common, client_id: client.id, token_use: 'access', scope: ADMIN_SCOPE, username: user.username },
      now,
      client.tokenValidity.accessSeconds,
    );
    return {
      IdToken: idToken,
      AccessToken: accessToken,
      ExpiresIn: client.tokenValidity.accessSeconds,
      TokenType: 'Bearer',
    };
  }

  /** The claims of an access token this pool issued, or Cognito's NotAuthorizedException. */
  async verifyAccessToken(token: unknown): Promise<{ username: string; clientId: string }> {
    const invalid = () => new CognitoError('NotAuthorizedException', 'Invalid Access Token');
    if (typeof token !== 'string') throw invalid();
    const verified = await verifyJwt(token, { issuer: this.issuer, keys: this.#jwks });
    if (!verified.ok) {
      if (verified.refusal === 'expired')
        throw new CognitoError('NotAuthorizedException', 'Access Token has expired');
      throw invalid();
    }
    const { token_use, username, client_id } = verified.payload;
    if (token_use !== 'access' || typeof username !== 'string' || typeof client_id !== 'string')
      throw invalid();
    return { username, clientId: client_id };
  }

  #sign(claims: Record<string, unknown>, now: number, validitySeconds: number): Promise<string> {
    return new SignJWT({
      ...claims,
      iss: this.issuer,
      iat: now,
      exp: now + validitySeconds,
      jti: randomUUID(),
    })
      .setProtectedHeader({ kid: this.#kid, alg: ALGORITHM })
      .sign(this.#key);
  }
}
