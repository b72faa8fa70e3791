import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBootstrapApp } from '../src/bootstrap-app.ts';
import { APP_NAME } from '../src/stages.ts';
import { resourcesOf } from './synth.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const outdirs: string[] = [];

function synthesize(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-bootstrap-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context: { ...cdkJson.context, ...context } });
  const stacks = buildBootstrapApp(app);
  app.synth(); // cdk-nag runs here: an unacknowledged finding throws
  return { test: Template.fromStack(stacks.test), prod: Template.fromStack(stacks.prod) };
}

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (template: Template): Statement[] =>
  resourcesOf(template, 'AWS::IAM::Policy').flatMap(
    ([, policy]) =>
      (policy.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement,
  );
const trustOf = (template: Template) => {
  const [[, role] = ['', {}]] = resourcesOf(template, 'AWS::IAM::Role');
  return (role as { Properties: { AssumeRolePolicyDocument: { Statement: Statement[] } } }).Properties
    .AssumeRolePolicyDocument.Statement;
};

describe('GitHub deploy bootstrap', () => {
  const { test, prod } = synthesize();

  it('creates the GitHub OIDC provider for STS in each account', () => {
    for (const template of [test, prod]) {
      template.hasResourceProperties('AWS::IAM::OIDCProvider', {
        Url: 'https://token.actions.githubusercontent.com',
        ClientIdList: ['sts.amazonaws.com'],
      });
    }
  });

  it('lets only jobs of this repository in the account’s GitHub environments assume the role', () => {
    const repository = cdkJson.context.repository as string;
    const [statement] = trustOf(test);
    expect(statement).toMatchObject({
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': [
            `repo:${repository}:environment:test`,
            `repo:${repository}:environment:preview`,
          ],
        },
      },
    });
    expect(trustOf(prod)[0]?.Condition).toMatchObject({
      StringEquals: { 'token.actions.githubusercontent.com:sub': [`repo:${repository}:environment:prod`] },
    });
  });

  it('grants no deployment rights of its own: only assuming the CDK bootstrap roles', () => {
    const [assume, ...others] = statementsOf(prod);
    expect(others).toEqual([]);
    expect(assume?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    const roles = JSON.stringify(assume?.Resource);
    for (const role of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      expect(roles).toContain(`:role/cdk-hnb659fds-${role}-role-`);
    }
    expect(roles).not.toMatch(/role\/\*|"\*"/);
    for (const template of [test, prod]) {
      template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: expect.anything() }, 0);
    }
  });

  it('lets the test account role list stages and their cost, and delete only disposable stages', () => {
    const statements = statementsOf(test);
    const listing = statements.find((s) => s.Sid === 'ListStagesAndTheirCost');
    expect([listing?.Action].flat().sort()).toEqual(['ce:GetCostAndUsage', 'cloudformation:DescribeStacks']);
    const deletion = statements.find((s) => s.Sid === 'DeleteExpiredDisposableStages');
    expect(deletion?.Action).toBe('cloudformation:DeleteStack');
    expect(JSON.stringify(deletion?.Resource)).toMatch(
      new RegExp(`stack/${APP_NAME}-dev-\\*/\\*.*stack/${APP_NAME}-pr-\\*/\\*`),
    );
  });

  it('reuses the account’s GitHub OIDC provider when there is one', () => {
    const arn = 'arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com';
    const reused = synthesize({ githubOidcProviderArn: arn });
    reused.test.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(JSON.stringify(trustOf(reused.test))).toContain(arn);
  });

  it('refuses a repository that is not owner/name', () => {
    expect(() => synthesize({ repository: 'https://github.com/acme/shop' })).toThrow(/"owner\/name"/);
  });
});
