import { rmSync } from 'node:fs';
import {
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUserPoolService } from '../../src/cognito/user-pool-service.ts';
import {
  ADMIN_CLIENT_ID,
  aPool,
  CLIENT_ID,
  PASSWORD,
  POOL_ID,
  startUserPools,
  temporaryFolder,
} from './fixtures.ts';

/**
 * The tokens of the local user pool: RS256, signed with the pool's own key, with the claims and
 * issuer Cognito gives them, valid for as long as the app client says, refreshed with an opaque
 * refresh token, and still valid after a restart on a persisted folder.
 */
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}`;
const folders: string[] = [];

afterEach(() => {
  vi.useRealTimers();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function signedIn(
  client: CognitoIdentityProviderClient,
  service: Awaited<ReturnType<typeof startUserPools>>['service'],
) {
  const user = await service.signInTestUser({
    clientId: CLIENT_ID,
    name: 'una@example.com',
    password: PASSWORD,
  });
  const { AuthenticationResult } = await client.send(
    new InitiateAuthCommand({
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'una@example.com', PASSWORD },
    }),
  );
  if (
    !AuthenticationResult?.IdToken ||
    !AuthenticationResult.AccessToken ||
    !AuthenticationResult.RefreshToken
  ) {
    throw new Error('The sign-in gave no tokens');
  }
  return { user, tokens: AuthenticationResult as Required<typeof AuthenticationResult> };
}

describe('the tokens of a sign-in', () => {
  it("carry Cognito's claims, signed RS256 with the key the pool's JWKS serves", async () => {
    const { client, service } = await startUserPools();
    const { user, tokens } = await signedIn(client, service);
    const keys = createRemoteJWKSet(new URL(`${service.endpoint}/${POOL_ID}/.well-known/jwks.json`));

    const { payload: id, protectedHeader } = await jwtVerify(tokens.IdToken, keys, {
      issuer: ISSUER,
      audience: CLIENT_ID,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: expect.any(String) });
    expect(id).toEqual({
      sub: user.sub,
      aud: CLIENT_ID,
      email: 'una@example.com',
      email_verified: true,
      token_use: 'id',
      'cognito:username': user.sub,
      auth_time: expect.any(Number),
      iss: ISSUER,
      iat: expect.any(Number),
      exp: (id.iat ?? 0) + 3600,
      jti: expect.any(String),
      origin_jti: expect.any(String),
      event_id: expect.any(String),
    });
    const { payload: access } = await jwtVerify(tokens.AccessToken, keys, { issuer: ISSUER });
    expect(access).toEqual({
      sub: user.sub,
      client_id: CLIENT_ID,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      username: user.sub,
      auth_time: id.auth_time,
      iss: ISSUER,
      iat: expect.any(Number),
      exp: (access.iat ?? 0) + 3600,
      jti: expect.any(String),
      origin_jti: id.origin_jti,
      event_id: id.event_id,
    });
    expect(access.aud).toBeUndefined();
    expect(tokens.RefreshToken.split('.')).toHaveLength(1);
  });

  it('last as long as the app client says', async () => {
    const { service } = await startUserPools();
    const user = await service.signInTestUser({ clientId: ADMIN_CLIENT_ID, name: 'vic@example.com' });
    const lifetime = (token: string) => {
      const { exp = 0, iat = 0 } = decodeJwt(token);
      return exp - iat;
    };
    expect({
      id: lifetime(user.idToken),
      access: lifetime(user.accessToken),
      expiresIn: user.expiresIn,
    }).toEqual({
      id: 600,
      access: 300,
      expiresIn: 300,
    });
  });

  it('are refreshed with the refresh token: same sign-in, no new refresh token; another client or a deleted user cannot', async () => {
    const { client, service } = await startUserPools();
    const { user, tokens } = await signedIn(client, service);
    const refresh = (token: string, clientId = CLIENT_ID) =>
      client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: token },
        }),
      );

    const { AuthenticationResult: refreshed } = await refresh(tokens.RefreshToken);
    expect(refreshed?.RefreshToken).toBeUndefined();
    const claims = (token: string | undefined) => decodeJwt(token ?? '');
    expect(claims(refreshed?.IdToken)).toMatchObject({
      sub: user.sub,
      auth_time: claims(tokens.IdToken).auth_time,
      origin_jti: claims(tokens.IdToken).origin_jti,
    });
    expect(claims(refreshed?.IdToken).jti).not.toBe(claims(tokens.IdToken).jti);

    await expect(refresh('not-a-refresh-token')).rejects.toThrow(
      expect.objectContaining({ name: 'NotAuthorizedException', message: 'Invalid Refresh Token' }),
    );
    await expect(refresh(tokens.RefreshToken, ADMIN_CLIENT_ID)).rejects.toThrow('Invalid Refresh Token');
    await client.send(new AdminDeleteUserCommand({ UserPoolId: POOL_ID, Username: 'una@example.com' }));
    await expect(refresh(tokens.RefreshToken)).rejects.toThrow('Invalid Refresh Token');
  });

  it('are refused by GetUser once the access token has expired', async () => {
    const { client, service } = await startUserPools();
    const { tokens } = await signedIn(client, service);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3601_000 });
    await expect(client.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).rejects.toThrow(
      expect.objectContaining({ name: 'NotAuthorizedException', message: 'Access Token has expired' }),
    );
  });
});

describe("the pool's keys", () => {
  it('are published at openid-configuration and in process, for the issuer of the pool only', async () => {
    const { service } = await startUserPools();
    const configuration = (await (
      await fetch(`${service.endpoint}/${POOL_ID}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(configuration).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${service.endpoint}/${POOL_ID}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const served = await (await fetch(String(configuration.jwks_uri))).json();
    expect(service.jwks(ISSUER)).toEqual(served);
    expect(served).toEqual({
      keys: [
        { alg: 'RS256', e: 'AQAB', kid: expect.any(String), kty: 'RSA', n: expect.any(String), use: 'sig' },
      ],
    });
    expect(JSON.stringify(served)).not.toMatch(/"d"|"p"|"q"/);
    expect(service.jwks('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Elsewhere')).toBeUndefined();
    expect((await fetch(`${service.endpoint}/eu-west-1_Elsewhere/.well-known/jwks.json`)).status).toBe(404);
  });

  it('differ from pool to pool', async () => {
    const other = aPool({ id: 'eu-west-1_Other0000', clients: [] });
    const { service } = await startUserPools({ pools: [aPool(), other] });
    const kid = (issuer: string) => service.jwks(issuer)?.keys[0]?.kid;
    expect(kid(ISSUER)).not.toBe(kid('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other0000'));
  });
});

describe('a restart on a persisted folder', () => {
  it('keeps the users, the signing key and the refresh tokens', async () => {
    const persistDir = temporaryFolder();
    folders.push(persistDir);
    const before = await startUserPools({ persistDir });
    const { user, tokens } = await signedIn(before.client, before.service);
    const keysBefore = before.service.jwks(ISSUER);
    await before.service.stop();

    const after = await startUserPools({ persistDir });
    expect(after.service.jwks(ISSUER)).toEqual(keysBefore);
    expect(decodeProtectedHeader(tokens.AccessToken).kid).toBe(keysBefore?.keys[0]?.kid);
    await expect(
      after.client.send(new GetUserCommand({ AccessToken: tokens.AccessToken })),
    ).resolves.toMatchObject({ Username: user.sub });
    await expect(
      after.client.send(
        new InitiateAuthCommand({
          ClientId: CLIENT_ID,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
        }),
      ),
    ).resolves.toHaveProperty('AuthenticationResult.AccessToken');
  });
});

describe('the in-process test user', () => {
  it('is created confirmed and signed in, and signing the same name in again keeps its sub', async () => {
    const { client, service } = await startUserPools();
    const first = await service.signInTestUser({ clientId: CLIENT_ID, name: 'wes@example.com' });
    const second = await service.signInTestUser({ clientId: CLIENT_ID, name: 'wes@example.com' });
    expect(second.sub).toBe(first.sub);
    expect(second.password).not.toBe(first.password);
    await expect(
      client.send(
        new InitiateAuthCommand({
          ClientId: CLIENT_ID,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'wes@example.com', PASSWORD: second.password },
        }),
      ),
    ).resolves.toHaveProperty('AuthenticationResult.IdToken');
    await expect(client.send(new GetUserCommand({ AccessToken: first.accessToken }))).resolves.toMatchObject({
      Username: first.sub,
    });
  });
});

describe('the start', () => {
  it('refuses a pool id unlike Cognito’s', async () => {
    await expect(
      createUserPoolService({ userPools: [aPool({ id: 'local-pool' })], log: () => undefined }),
    ).rejects.toThrow('User pool id "local-pool" is not like Cognito\'s');
  });
});
