import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GITHUB_DEPLOY_ROLE_NAME } from '../src/bootstrap-stack.ts';
import type { ServerlessCommerceStage } from '../src/serverless-commerce-stage.ts';
import { TABLES } from '../src/shared-data.ts';
import { type CfnResource, resourcesOf, type Synthesized, ssmParameterId, synthesize } from './synth.ts';

/**
 * The scenario suite (`npm run e2e -- --stage <name>`) checks a deployed stage: the pipeline runs it
 * on test before the approval to prod, preview.yml on each preview stage. The role it runs as holds
 * exactly the AWS calls it makes besides the HTTP API.
 */
let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('pr-7');
});
afterAll(() => synthesized?.cleanup());

const TOOLING = '111111111111';
const TEST = '222222222222';
const SUITE_ROLE = `arn:aws:iam::${TEST}:role/serverless-commerce-test-scenario-suite`;
const RUNNER_ROLE = `arn:aws:iam::${TOOLING}:role/serverless-commerce-pipeline-scenario-suite`;

type Action = { Name: string; RunOrder: number; ActionTypeId: { Category: string } };
type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };

const pipelineTemplate = () => synthesized.template(synthesized.pipeline);
const pipelineStages = () => {
  const [, pipeline] = resourcesOf(pipelineTemplate(), 'AWS::CodePipeline::Pipeline')[0] ?? [];
  return pipeline?.Properties?.Stages as { Name: string; Actions: Action[] }[];
};
const suiteProject = (): CfnResource => {
  const projects = resourcesOf(pipelineTemplate(), 'AWS::CodeBuild::Project');
  const [, project] = projects.find(([id]) => id.includes('ScenarioSuite')) ?? [];
  if (!project) throw new Error('The pipeline has no scenario suite project');
  return project;
};
const statementsOf = (template: ReturnType<typeof pipelineTemplate>, roleId: RegExp): Statement[] =>
  resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).match(roleId))
    .flatMap(
      ([, policy]) =>
        (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
const trustOf = (template: ReturnType<typeof pipelineTemplate>) => {
  const [[, role] = []] = resourcesOf(template, 'AWS::IAM::Role');
  return (role?.Properties?.AssumeRolePolicyDocument as { Statement?: unknown[] } | undefined)?.Statement;
};
const scenariosOf = (stage: ServerlessCommerceStage) => {
  if (!stage.scenarios) throw new Error(`${stage.config.name} has no scenario suite role`);
  return synthesized.template(stage.scenarios);
};

describe('the scenario suite in the pipeline', () => {
  it("runs on test once all of test's stacks are deployed, before the approval to prod", () => {
    const stages = pipelineStages();
    expect(stages.map((stage) => stage.Name).slice(-2)).toEqual(['test', 'prod']);
    const test = stages.find((stage) => stage.Name === 'test')?.Actions ?? [];
    const suite = test.find((action) => action.Name === 'ScenarioSuite');
    expect(suite?.ActionTypeId.Category).toBe('Build');
    const deploys = test.filter((action) => action !== suite);
    expect(deploys.map((action) => action.Name)).toEqual(
      expect.arrayContaining(synthesized.pipeline.test.stacks.map((stack) => `${stack.stackName}.Deploy`)),
    );
    for (const deploy of deploys) expect(deploy.RunOrder, deploy.Name).toBeLessThan(suite?.RunOrder ?? 0);
    const prod = stages.find((stage) => stage.Name === 'prod')?.Actions ?? [];
    expect(prod[0]).toMatchObject({ Name: 'PromoteToProd', ActionTypeId: { Category: 'Approval' } });
  });

  it("installs the repository and runs the e2e command against the test stage, as test's scenario suite role", () => {
    const buildSpec = JSON.parse(
      String((suiteProject().Properties?.Source as { BuildSpec?: string } | undefined)?.BuildSpec),
    ) as {
      phases: { build: { commands: string[] } };
    };
    expect(buildSpec.phases.build.commands).toEqual([
      'npm ci',
      `aws configure set role_arn ${SUITE_ROLE} --profile scenario-suite`,
      'aws configure set credential_source EcsContainer --profile scenario-suite',
      'AWS_PROFILE=scenario-suite AWS_REGION=eu-west-1 npm run e2e -- --stage test',
    ]);
  });

  it("lets the step's role assume test's scenario suite role, which trusts that role alone", () => {
    const assumes = statementsOf(pipelineTemplate(), /ScenarioSuiteRunnerRole/).filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('sts:')),
    );
    expect(assumes).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: SUITE_ROLE }]);
    expect(suiteProject().Properties?.ServiceRole).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ScenarioSuiteRunnerRole/), 'Arn'],
    });
    const test = scenariosOf(synthesized.pipeline.test);
    test.hasResourceProperties('AWS::IAM::Role', { RoleName: 'serverless-commerce-test-scenario-suite' });
    expect(trustOf(test)).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: RUNNER_ROLE } },
    ]);
  });

  it('grants the suite exactly the calls it makes, each on the test stage’s own resources', () => {
    const template = scenariosOf(synthesized.pipeline.test);
    const parameter = (name: string) => ({
      Ref: ssmParameterId(template, `/serverless-commerce/test/${name}`),
    });
    const ordersTable = parameter('data/orders-table/arn');
    const tables = Object.values(TABLES).map((table) => parameter(`data/${table.arnParameter.resource}/arn`));
    const statements = statementsOf(template, /ScenarioSuiteRole/);
    expect(statements).toEqual([
      {
        Sid: 'ReadStageParameters',
        Effect: 'Allow',
        Action: 'ssm:GetParametersByPath',
        Resource: [
          `arn:aws:ssm:eu-west-1:${TEST}:parameter/serverless-commerce/test`,
          `arn:aws:ssm:eu-west-1:${TEST}:parameter/serverless-commerce/test/*`,
        ],
      },
      {
        Sid: 'SignWebhooksAsTheBank',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: parameter('identity/bank-webhook-secret/arn'),
      },
      {
        Sid: 'ManageScenarioCustomers',
        Effect: 'Allow',
        Action: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminDeleteUser',
          'cognito-idp:AdminSetUserPassword',
        ],
        Resource: {
          'Fn::Join': [
            '',
            [`arn:aws:cognito-idp:eu-west-1:${TEST}:userpool/`, parameter('identity/user-pool/id')],
          ],
        },
      },
      {
        Sid: 'DescribePaymentWorkflow',
        Effect: 'Allow',
        Action: 'states:DescribeStateMachine',
        Resource: `arn:aws:states:eu-west-1:${TEST}:stateMachine:serverless-commerce-test-payment-workflow`,
      },
      {
        Sid: 'ReadTables',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Resource: expect.arrayContaining([
          ...tables,
          { 'Fn::Join': ['', [ordersTable, '/index/byCustomer']] },
        ]),
      },
      {
        Sid: 'PauseInvoicing',
        Effect: 'Allow',
        Action: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        Resource: {
          'Fn::Join': [
            '',
            [
              `arn:aws:lambda:eu-west-1:${TEST}:event-source-mapping:`,
              parameter('invoices/invoice-requests-event-source-mapping/id'),
            ],
          ],
        },
      },
      {
        Sid: 'ReadEventStream',
        Effect: 'Allow',
        Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards'],
        Resource: parameter('data/event-stream/arn'),
      },
    ]);
    const indexes = Object.values(TABLES).flatMap((table) => Object.keys(table.indexes));
    expect(statements.find((statement) => statement.Sid === 'ReadTables')?.Resource).toHaveLength(
      tables.length + indexes.length,
    );
    // The stage's parameters are the one wildcard: read-only, under the stage's own path.
    const wildcards = JSON.stringify(statements).match(/"[^"]*\*[^"]*"/g);
    expect(wildcards).toEqual([`"arn:aws:ssm:eu-west-1:${TEST}:parameter/serverless-commerce/test/*"`]);
  });

  it("publishes the invoice consumer's event source mapping, the one the suite may pause", () => {
    const invoices = synthesized.template(synthesized.pipeline.test.invoices);
    const [[mappingId] = []] = resourcesOf(invoices, 'AWS::Lambda::EventSourceMapping');
    invoices.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/serverless-commerce/test/invoices/invoice-requests-event-source-mapping/id',
      Value: { Ref: mappingId },
    });
    expect(synthesized.pipeline.test.scenarios?.dependencies).toContain(synthesized.pipeline.test.invoices);
  });

  it('gives prod no scenario suite role', () => {
    expect(synthesized.pipeline.prod.scenarios).toBeUndefined();
    for (const stack of synthesized.pipeline.prod.stacks) {
      expect(JSON.stringify(synthesized.template(stack).toJSON())).not.toContain('scenario-suite');
    }
  });
});

describe('the scenario suite on a preview stage', () => {
  it("runs as the preview's own scenario suite role, which the GitHub deploy role of its account may assume", () => {
    const template = scenariosOf(synthesized.stage);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'serverless-commerce-pr-7-scenario-suite' });
    expect(trustOf(template)).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: {
          AWS: {
            'Fn::Join': [
              '',
              ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${GITHUB_DEPLOY_ROLE_NAME}`],
            ],
          },
        },
      },
    ]);
    expect(JSON.stringify(statementsOf(template, /ScenarioSuiteRole/))).toContain(
      'parameter/serverless-commerce/pr-7/*',
    );
  });
});

describe('the scenario suite on test deployed by deploy.yml', () => {
  let standalone: Synthesized;
  beforeAll(() => {
    standalone = synthesize('test');
  });
  afterAll(() => standalone?.cleanup());

  it("runs as test's scenario suite role, which the GitHub deploy role of test's account may assume", () => {
    if (!standalone.stage.scenarios) throw new Error('test has no scenario suite role');
    const template = standalone.template(standalone.stage.scenarios);
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'serverless-commerce-test-scenario-suite' });
    expect(JSON.stringify(trustOf(template))).toContain(`:role/${GITHUB_DEPLOY_ROLE_NAME}`);
  });
});
