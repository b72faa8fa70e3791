import { createHmac, createSign, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHttpApi,
  type HttpApi,
  type HttpRoute,
  type JwtAuthorizer,
  type JwtKeySource,
} from '../../src/apigateway/http-api.ts';
import {
  createUserPoolService,
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_TOKEN_VALIDITY,
  type UserPoolService,
} from '../../src/cognito/user-pool-service.ts';
import type { LambdaInvoker, LogEntry } from '../../src/contracts.ts';

/**
 * The local API Gateway's JWT authorizer: every way a token is refused (the function never runs,
 * API Gateway's 401 and www-authenticate answer), and the claims a valid one puts in the event.
 * Tokens are signed here with a key of the test's own, so that forged ones can be made too; the
 * last cases use real tokens of the local user pool.
 */
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1';
const CLIENT_ID = 'testclient0000000000000001';
const KID = 'test-key';

const issuerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicJwk = (key: typeof issuerKey, kid = KID) => ({
  ...(key.publicKey.export({ format: 'jwk' }) as JsonWebKey),
  kid,
  alg: 'RS256',
  use: 'sig',
});
const ISSUER_KEYS = { keys: [publicJwk(issuerKey)] };

const authorizer: JwtAuthorizer = {
  type: 'JWT',
  name: 'CustomerAuthorizer',
  issuer: ISSUER,
  audience: [CLIENT_ID],
  identitySource: ['$request.header.Authorization'],
};
const routes: HttpRoute[] = [
  { routeKey: 'GET /orders/{orderId}', functionName: 'GetOrder', authorizer },
  {
    routeKey: 'GET /reports',
    functionName: 'GetReports',
    authorizer: { ...authorizer, scopes: ['reports/read'] },
  },
  { routeKey: 'POST /webhooks/bank-transfers', functionName: 'ConfirmBankTransfer' },
];

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A JWT signed RS256 with `key` (the issuer's unless said), or with the algorithm given. */
function token(
  claims: Record<string, unknown> = {},
  options: { alg?: string; key?: typeof issuerKey; kid?: string } = {},
): string {
  const { alg = 'RS256', key = issuerKey, kid = KID } = options;
  const payload = {
    sub: 'c0ffee00-0000-4000-8000-000000000001',
    iss: ISSUER,
    aud: CLIENT_ID,
    token_use: 'id',
    email: 'ada@example.com',
    email_verified: true,
    iat: now(),
    exp: now() + 3600,
    ...claims,
  };
  const signingInput = `${encode({ kid, alg })}.${encode(payload)}`;
  if (alg === 'none') return `${signingInput}.`;
  if (alg === 'HS256') {
    // The classic confusion: the issuer's public key used as an HMAC secret.
    const secret = key.publicKey.export({ format: 'pem', type: 'spki' });
    return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
  }
  return `${signingInput}.${createSign('RSA-SHA256').update(signingInput).sign(key.privateKey, 'base64url')}`;
}

let api: HttpApi | undefined;
let pools: UserPoolService | undefined;

afterEach(async () => {
  await api?.stop();
  await pools?.stop();
  api = undefined;
  pools = undefined;
});

async function start(
  jwtKeys: JwtKeySource = (issuer) => (issuer === ISSUER ? ISSUER_KEYS : undefined),
  apiRoutes = routes,
) {
  const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];
  const logs: LogEntry[] = [];
  const invoker: LambdaInvoker = {
    async invoke(_functionName, event) {
      events.push(event as APIGatewayProxyEventV2WithJWTAuthorizer);
      return { ok: true, payload: { statusCode: 200, body: 'ok' } };
    },
  };
  api = await createHttpApi({
    routes: apiRoutes,
    invoker,
    log: (entry) => logs.push(entry),
    port: 0,
    jwtKeys,
  });
  const get = (path: string, authorization?: string) =>
    fetch(`${api?.url}${path}`, authorization === undefined ? {} : { headers: { authorization } });
  return { url: api.url, events, logs, get };
}

describe('a route with a JWT authorizer', () => {
  const refusals: [string, () => string | undefined, string][] = [
    ['no token', () => undefined, 'Bearer'],
    ['a token that is not a JWT', () => 'Bearer not-a-jwt', 'token contains an invalid number of segments'],
    [
      'an expired token',
      () => `Bearer ${token({ iat: now() - 7200, exp: now() - 1 })}`,
      'the token has expired',
    ],
    ['a token not valid yet', () => `Bearer ${token({ nbf: now() + 600 })}`, 'the token is not valid yet'],
    [
      'a token for another audience',
      () => `Bearer ${token({ aud: 'someotherclient00000000001' })}`,
      'the token does not have a valid audience',
    ],
    [
      'an access token of another app client',
      () =>
        `Bearer ${token({ aud: undefined, token_use: 'access', client_id: 'someotherclient00000000001' })}`,
      'the token does not have a valid audience',
    ],
    [
      'a token of another issuer',
      () => `Bearer ${token({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Elsewhere' })}`,
      'the token does not have a valid issuer',
    ],
    [
      "a token with 'alg: none'",
      () => `Bearer ${token({}, { alg: 'none' })}`,
      'signing method none is invalid',
    ],
    [
      'a token signed HS256 with the public key',
      () => `Bearer ${token({}, { alg: 'HS256' })}`,
      'signing method HS256 is invalid',
    ],
    [
      'a token whose payload was changed after signing',
      () => {
        const [header, , signature] = token().split('.');
        return `Bearer ${header}.${encode({ sub: 'someone-else', iss: ISSUER, aud: CLIENT_ID, token_use: 'id', exp: now() + 3600 })}.${signature}`;
      },
      'the token signature is invalid',
    ],
    [
      'a token signed by another key with the same kid',
      () => `Bearer ${token({}, { key: otherKey })}`,
      'the token signature is invalid',
    ],
    [
      'a token of a key the issuer does not have',
      () => `Bearer ${token({}, { key: otherKey, kid: 'unknown' })}`,
      'no signing key of the issuer matches the token',
    ],
    [
      'a token that is neither an ID nor an access token',
      () => `Bearer ${token({ token_use: 'refresh' })}`,
      'the token is neither an ID nor an access token',
    ],
  ];

  for (const [what, authorization, reason] of refusals) {
    it(`refuses ${what} with 401 Unauthorized and never runs the function`, async () => {
      const { get, events, logs } = await start();
      const response = await get('/orders/o-1', authorization());

      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Unauthorized' });
      expect(response.headers.get('www-authenticate')).toBe(
        reason === 'Bearer'
          ? 'Bearer'
          : `Bearer scope="" error="invalid_token" error_description="${reason}"`,
      );
      expect(events).toHaveLength(0);
      expect(JSON.stringify(logs)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    });
  }

  it('passes the claims to the function as strings, with or without the Bearer prefix', async () => {
    const { get, events } = await start();
    const signed = token({ 'cognito:groups': ['admins', 'staff'], address: { country: 'FR', city: 'Lyon' } });

    expect((await get('/orders/o-1', `Bearer ${signed}`)).status).toBe(200);
    expect((await get('/orders/o-1', signed)).status).toBe(200);

    const { claims, scopes } = events[0]?.requestContext.authorizer.jwt ?? {};
    expect(claims).toEqual({
      sub: 'c0ffee00-0000-4000-8000-000000000001',
      iss: ISSUER,
      aud: CLIENT_ID,
      token_use: 'id',
      email: 'ada@example.com',
      email_verified: 'true',
      iat: expect.stringMatching(/^\d+$/),
      exp: expect.stringMatching(/^\d+$/),
      'cognito:groups': '[admins staff]',
      address: 'map[city:Lyon country:FR]',
    });
    expect(scopes).toBeNull();
    expect(events).toHaveLength(2);
  });

  it("accepts an access token by its client_id when it has no aud, as Cognito's have none", async () => {
    const { get } = await start();
    const access = token({
      aud: undefined,
      token_use: 'access',
      client_id: CLIENT_ID,
      scope: 'aws.cognito.signin.user.admin',
    });
    expect((await get('/orders/o-1', `Bearer ${access}`)).status).toBe(200);
  });

  it("answers 403 Forbidden to a token without one of the route's scopes, and passes the scopes of one with", async () => {
    const { get, events } = await start();
    const refused = await get('/reports', `Bearer ${token({ scope: 'orders/read' })}`);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer scope="reports/read" error="insufficient_scope" error_description="the token does not have the scopes this route requires"',
    );
    expect(events).toHaveLength(0);

    expect((await get('/reports', `Bearer ${token({ scope: 'orders/read reports/read' })}`)).status).toBe(
      200,
    );
    expect(events[0]?.requestContext.authorizer.jwt.scopes).toEqual(['orders/read', 'reports/read']);
  });

  it('reads the token from the query string when that is the identity source', async () => {
    const { url, events } = await start(undefined, [
      {
        routeKey: 'GET /orders/{orderId}',
        functionName: 'GetOrder',
        authorizer: { ...authorizer, identitySource: ['$request.querystring.token'] },
      },
    ]);
    expect(
      (await fetch(`${url}/orders/o-1`, { headers: { authorization: `Bearer ${token()}` } })).status,
    ).toBe(401);
    expect((await fetch(`${url}/orders/o-1?token=${token()}`)).status).toBe(200);
    expect(events).toHaveLength(1);
  });
});

describe('a route without an authorizer', () => {
  it('runs its function with no token, and no authorizer in the event', async () => {
    const { url, events } = await start();
    const response = await fetch(`${url}/webhooks/bank-transfers`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(events[0]?.requestContext).not.toHaveProperty('authorizer');
  });
});

describe('the start', () => {
  it('refuses an authorizer whose issuer the local cloud has no keys for', async () => {
    await expect(start(() => undefined)).rejects.toThrow(
      `Route GET /orders/{orderId}: authorizer CustomerAuthorizer trusts ${ISSUER}, whose keys the local cloud does not have`,
    );
  });
});

describe('with the local user pools', () => {
  const POOL = 'eu-west-1_Customers';
  const OTHER = 'eu-west-1_Partners0';
  const poolOf = (id: string, clientId: string) => ({
    id,
    name: id,
    usernameAttributes: ['email'],
    aliasAttributes: [],
    autoVerifiedAttributes: ['email'],
    requiredAttributes: [],
    passwordPolicy: DEFAULT_PASSWORD_POLICY,
    allowAdminCreateUserOnly: false,
    usernameCaseSensitive: false,
    clients: [
      {
        id: clientId,
        name: 'client',
        explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        tokenValidity: DEFAULT_TOKEN_VALIDITY,
        preventUserExistenceErrors: true,
      },
    ],
  });

  it("lets a customer's access and ID tokens through, and refuses another pool's", async () => {
    pools = await createUserPoolService({
      userPools: [poolOf(POOL, CLIENT_ID), poolOf(OTHER, 'partnerclient0000000000001')],
      log: () => undefined,
    });
    const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
    const { get, events } = await start(
      (candidate) => pools?.jwks(candidate),
      [
        {
          routeKey: 'GET /orders/{orderId}',
          functionName: 'GetOrder',
          authorizer: { ...authorizer, issuer },
        },
      ],
    );
    const customer = await pools.signInTestUser({ clientId: CLIENT_ID, name: 'ada@example.com' });
    const partner = await pools.signInTestUser({
      clientId: 'partnerclient0000000000001',
      name: 'ada@example.com',
    });

    expect((await get('/orders/o-1', `Bearer ${customer.accessToken}`)).status).toBe(200);
    expect((await get('/orders/o-1', `Bearer ${customer.idToken}`)).status).toBe(200);
    const refused = await get('/orders/o-1', `Bearer ${partner.accessToken}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    expect(events.map((event) => event.requestContext.authorizer.jwt.claims.sub)).toEqual([
      customer.sub,
      customer.sub,
    ]);
    expect(events[0]?.requestContext.authorizer.jwt.claims).toMatchObject({
      token_use: 'access',
      client_id: CLIENT_ID,
      username: customer.username,
      scope: 'aws.cognito.signin.user.admin',
    });
  });
});
