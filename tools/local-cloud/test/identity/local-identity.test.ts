import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import { synthesizeIdentityStack } from '../fixtures/identity-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * Customer identity on the local cloud, from a template it has never seen: the user pool and the
 * secret run from what the template declares, a customer signed in process gets through the API's
 * JWT authorizer, the functions reach Cognito and Secrets Manager locally, and `--persist` keeps
 * customers, tokens and the secret across a restart.
 */
const folders = temporaryFolders();
const folder = folders.make;
const assemblyDir = folder('identity-stack-');
const clouds: LocalCloud[] = [];
const start = async (persistDir?: string) => {
  const cloud = await startLocalCloud({
    assemblyDir,
    port: 0,
    log: () => undefined,
    ...(persistDir ? { persistDir } : {}),
  });
  clouds.push(cloud);
  return cloud;
};
let cloud: LocalCloud;

beforeAll(async () => {
  synthesizeIdentityStack(assemblyDir);
  cloud = await start();
});

afterAll(async () => {
  for (const each of clouds) await each.stop();
  folders.removeAll();
});

const me = (target: LocalCloud, token?: string) =>
  fetch(`${target.url}/me`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describe('the local cloud', () => {
  it("lets a customer signed in process through the API's authorizer, with its sub in the event", async () => {
    const customer = await cloud.identity.createCustomer('ada');

    const response = await me(cloud, customer.accessToken);
    expect(response.status).toBe(200);
    const { claims } = (await response.json()) as { claims: Record<string, string> };
    expect(claims).toMatchObject({
      sub: customer.sub,
      token_use: 'access',
      client_id: cloud.identity.apiUserPool?.clientId,
    });
    expect(customer.email).toBe('ada@example.com');
    const { exp = 0, iat = 0 } = claimsOf(customer.accessToken) as { exp?: number; iat?: number };
    expect(exp - iat).toBe(30 * 60);
  });

  it('answers 401 to a request with no token, without running the function', async () => {
    const invocations = cloud.lambda.stats().reduce((total, fn) => total + fn.invocations, 0);
    const response = await me(cloud);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(cloud.lambda.stats().reduce((total, fn) => total + fn.invocations, 0)).toBe(invocations);
  });

  it("runs the webhook route with no token, its function reading the template's secret from the local Secrets Manager", async () => {
    const response = await fetch(`${cloud.url}/webhooks/bank-transfers`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    const { secret, endpoints, claims } = (await response.json()) as Record<string, unknown>;
    expect(claims).toBeNull();
    expect(secret).toMatch(/^[A-Za-z0-9]{44}$/);
    expect(cloud.secrets.value('BankWebhookSecret')).toBe(secret);
    expect(cloud.secrets.value('identity-test-bank-webhook')).toBe(secret);
    expect(cloud.secrets.webhookSecret()).toBe(secret);
    expect(endpoints).toEqual({
      cognito: cloud.endpoints.cognito,
      secretsmanager: cloud.endpoints.secretsmanager,
    });
  });

  it('names the pool and app client with ids like Cognito’s, which the SDK signs in against', async () => {
    const { apiUserPool, userPools } = cloud.identity;
    expect(apiUserPool).toEqual({
      region: 'eu-west-1',
      userPoolId: expect.stringMatching(/^eu-west-1_[A-Za-z0-9]{9}$/),
      clientId: expect.stringMatching(/^[a-z0-9]{26}$/),
      endpoint: cloud.endpoints.cognito,
    });
    expect(userPools).toEqual([
      expect.objectContaining({
        id: apiUserPool?.userPoolId,
        issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${apiUserPool?.userPoolId}`,
      }),
    ]);
    expect(cloud.secrets.list).toEqual([
      {
        logicalId: expect.stringMatching(/^BankWebhookSecret[0-9A-F]{8}$/),
        name: 'identity-test-bank-webhook',
        arn: expect.stringMatching(
          /^arn:aws:secretsmanager:eu-west-1:000000000000:secret:identity-test-bank-webhook-[A-Za-z0-9]{6}$/,
        ),
      },
    ]);

    const customer = await cloud.identity.createCustomer('bea@example.com');
    const sdk = new CognitoIdentityProviderClient({
      region: 'eu-west-1',
      endpoint: cloud.endpoints.cognito,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { AuthenticationResult } = await sdk.send(
      new InitiateAuthCommand({
        ClientId: apiUserPool?.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'bea@example.com', PASSWORD: customer.password },
      }),
    );
    sdk.destroy();
    expect((await me(cloud, AuthenticationResult?.IdToken)).status).toBe(200);
  });

  it('keeps the ids, customers, their tokens and the secret across a restart with --persist', async () => {
    const persistDir = folder('identity-persist-');
    const first = await start(persistDir);
    const customer = await first.identity.createCustomer('cy');
    const secret = first.secrets.value('BankWebhookSecret');
    const ids = first.identity.apiUserPool;
    await first.stop();

    const second = await start(persistDir);
    expect(second.identity.apiUserPool).toEqual({ ...ids, endpoint: second.endpoints.cognito });
    expect(second.secrets.value('BankWebhookSecret')).toBe(secret);
    expect((await me(second, customer.accessToken)).status).toBe(200);
    expect((await second.identity.createCustomer('cy')).sub).toBe(customer.sub);
  });
});
