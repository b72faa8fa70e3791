import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as apigateway from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpIamAuthorizer,
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { CfnUserPool } from 'aws-cdk-lib/aws-cognito';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud.ts';
import { synthesizeIdentityStack } from '../fixtures/identity-stack.ts';
import { localModelOf } from '../fixtures/local-cloud-app.ts';

/**
 * Identity read from the template: user pools, app clients, secrets and route authorizers, with
 * ids derived from where they are declared; an authorizer the local cloud cannot honour stops the
 * start instead of leaving its route open.
 */
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function modelOf(customize?: Parameters<typeof synthesizeIdentityStack>[1]) {
  const outdir = mkdtempSync(join(tmpdir(), 'identity-template-'));
  folders.push(outdir);
  synthesizeIdentityStack(outdir, customize);
  return {
    outdir,
    model: () => localModelOf(outdir),
  };
}

const addRoute = (path: string, authorizer: apigateway.IHttpRouteAuthorizer) =>
  (({ api, echo }) => {
    api.addRoutes({
      path,
      methods: [apigateway.HttpMethod.GET],
      integration: new HttpLambdaIntegration(`${path}Integration`, echo),
      authorizer,
    });
  }) satisfies Parameters<typeof synthesizeIdentityStack>[1];

describe('the identity of a template', () => {
  it('gives the pool, its client and the secret the same ids at every synth, and each route its authorizer', () => {
    const first = modelOf().model();
    const again = modelOf().model();
    const [pool] = first.userPools;

    expect(again.userPools.map(({ id, clients }) => [id, clients.map((client) => client.id)])).toEqual(
      first.userPools.map(({ id, clients }) => [id, clients.map((client) => client.id)]),
    );
    expect(again.secrets.map(({ arn }) => arn)).toEqual(first.secrets.map(({ arn }) => arn));
    expect(pool).toMatchObject({
      usernameAttributes: ['email'],
      autoVerifiedAttributes: ['email'],
      passwordPolicy: { minimumLength: 12, requireSymbols: true },
      clients: [
        {
          explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          tokenValidity: { accessSeconds: 1800 },
        },
      ],
    });
    expect(first.secrets).toEqual([
      expect.objectContaining({
        name: 'identity-test-bank-webhook',
        generate: { passwordLength: 44, excludePunctuation: true },
      }),
    ]);
    expect(first.routes.find((route) => route.routeKey === 'GET /me')?.authorizer).toEqual({
      type: 'JWT',
      name: 'CustomerAuthorizer',
      issuer: pool?.issuer,
      audience: [pool?.clients[0]?.id],
      identitySource: ['$request.header.Authorization'],
    });
    expect(
      first.routes.find((route) => route.routeKey === 'POST /webhooks/bank-transfers'),
    ).not.toHaveProperty('authorizer');
  });

  it("resolves the pool's ProviderURL to the issuer of its tokens", () => {
    const { model } = modelOf(({ api, echo, pool }) => {
      const byProvider = new HttpJwtAuthorizer('ProviderAuthorizer', pool.userPoolProviderUrl, {
        jwtAudience: ['any'],
      });
      api.addRoutes({
        path: '/provider',
        methods: [apigateway.HttpMethod.GET],
        integration: new HttpLambdaIntegration('Provider', echo),
        authorizer: byProvider,
      });
    });
    const built = model();
    expect(built.routes.find((route) => route.routeKey === 'GET /provider')?.authorizer?.issuer).toBe(
      built.userPools[0]?.issuer,
    );
  });
});

describe('an authorizer the local cloud cannot honour', () => {
  it('stops the start when its issuer is no local user pool', async () => {
    const { outdir } = modelOf(
      addRoute(
        '/partners',
        new HttpJwtAuthorizer('PartnerAuthorizer', 'https://accounts.example.com', {
          jwtAudience: ['partners'],
        }),
      ),
    );
    await expect(startLocalCloud({ assemblyDir: outdir, port: 0, log: () => undefined })).rejects.toThrow(
      'Route GET /partners: authorizer PartnerAuthorizer trusts the issuer https://accounts.example.com, which is no local user pool',
    );
  });

  it('refuses IAM authorization', () => {
    const { model } = modelOf(addRoute('/admin', new HttpIamAuthorizer()));
    expect(model).toThrow(
      /\(GET \/admin\): AuthorizationType AWS_IAM is not enforced by the local API Gateway/,
    );
  });

  it('refuses a Lambda authorizer', () => {
    const { model } = modelOf(({ api, echo }) => {
      const custom = new HttpLambdaAuthorizer('CustomAuthorizer', echo);
      api.addRoutes({
        path: '/custom',
        methods: [apigateway.HttpMethod.GET],
        integration: new HttpLambdaIntegration('Custom', echo),
        authorizer: custom,
      });
    });
    expect(model).toThrow(
      /\(GET \/custom\): AuthorizationType CUSTOM is not enforced by the local API Gateway/,
    );
  });

  it('refuses a user pool that requires MFA, which no local sign-in can pass', () => {
    const { model } = modelOf(({ pool }) => {
      (pool.node.defaultChild as CfnUserPool).mfaConfiguration = 'ON';
      (pool.node.defaultChild as CfnUserPool).enabledMfas = ['SOFTWARE_TOKEN_MFA'];
    });
    expect(model).toThrow(/the user pool requires MFA, which the local user pool does not emulate/);
  });
});
