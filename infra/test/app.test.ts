import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CfnResource, type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerlessCommerceStage } from '../src/serverless-commerce-stage.ts';
import { resourcesOf, type Synthesized, synthesize } from './synth.ts';

let alice: Synthesized;
let bob: Synthesized;
beforeAll(() => {
  alice = synthesize('dev-alice', { cloudFormationValidation: true });
  bob = synthesize('dev-bob');
});
afterAll(() => {
  alice?.cleanup();
  bob?.cleanup();
});

function filesUnder(directory: string, suffix: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return filesUnder(path, suffix);
    return path.endsWith(suffix) ? [path] : [];
  });
}

/** Names scoped to their parent resource or not names at all. */
const NOT_PHYSICAL_NAMES = new Set(['StageName', 'PolicyName', 'MetricName', 'DisplayName']);
/** Resources whose `Name` is scoped to their parent: an authorizer's to its API. */
const SCOPED_NAMES = new Set(['AWS::ApiGatewayV2::Authorizer']);

/**
 * Names a resource is known by in its account and region, `<type> <name>`: every top-level
 * `...Name` property set to a string (two resources of different types may share a name).
 */
function physicalNames(synthesized: Synthesized, stage: ServerlessCommerceStage): string[] {
  const { stacks } = stage;
  return [
    ...stacks.map((stack) => `AWS::CloudFormation::Stack ${stack.stackName}`),
    ...stacks.flatMap((stack) =>
      resourcesOf(synthesized.template(stack)).flatMap(([, resource]) => {
        const properties = { ...resource.Properties, ...(resource.Properties?.Budget as object) };
        if (SCOPED_NAMES.has(resource.Type)) return [];
        return Object.entries(properties)
          .filter(
            ([key, value]) =>
              key.endsWith('Name') && !NOT_PHYSICAL_NAMES.has(key) && typeof value === 'string',
          )
          .map(([, value]) => `${resource.Type} ${value}`);
      }),
    ),
  ];
}

describe('the CDK app', () => {
  it('synthesizes the selected stage and the pipeline with its test and prod stages', () => {
    const stackNames = alice.app.synth().stacksRecursively.map((stack) => stack.stackName);
    expect(stackNames).toEqual(
      expect.arrayContaining([
        'serverless-commerce-pipeline',
        'serverless-commerce-dev-alice-data',
        'serverless-commerce-dev-alice-identity',
        'serverless-commerce-dev-alice-orders',
        'serverless-commerce-prod-identity',
        'serverless-commerce-test-payments',
        'serverless-commerce-prod-invoices',
      ]),
    );
    // Exactly the app's stacks: the pipeline's, and each stage's (the selected one, test and prod).
    expect([...stackNames].sort()).toEqual(alice.stacks.map((stack) => stack.stackName).sort());
  });

  it('deploys the data and identity stacks first and the orders stack last, as the services read and call each other', () => {
    const { data, identity, invoices, payments, orders, stacks } = alice.stage;
    const names = (list: readonly Stack[]) => list.map((stack) => stack.stackName).sort();
    expect(data.dependencies).toEqual([]);
    expect(identity.dependencies).toEqual([]);
    expect(names(stacks.slice(0, 2))).toEqual(names([data, identity]));
    expect(stacks.at(-1)?.stackName).toBe(orders.stackName);
    const services = stacks.slice(2);
    for (const service of services)
      expect(names(service.dependencies), service.stackName).toContain(data.stackName);
    expect(names(invoices.dependencies)).toEqual(names([data]));
    expect(names(payments.dependencies)).toEqual(names([data, identity, invoices]));
    // Orders sends to payments and routes to every service's HTTP functions.
    expect(names(orders.dependencies)).toEqual(names([data, identity, ...services.slice(0, -1)]));
  });

  it('links stacks through SSM parameters only: no CloudFormation export or stack output is read', () => {
    const templates = filesUnder(alice.app.outdir, '.template.json');
    expect(templates.length).toBe(alice.stacks.length);
    for (const file of templates) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toContain('Fn::ImportValue');
      expect(text, file).not.toContain('Fn::GetStackOutput');
      for (const output of Object.values((JSON.parse(text).Outputs ?? {}) as Record<string, object>)) {
        expect(output, file).not.toHaveProperty('Export');
      }
    }
  });

  it('reads the data and identity stack parameters in the services under /serverless-commerce/<stage>/', () => {
    const parameters = alice.template(alice.stage.orders).toJSON().Parameters as Record<
      string,
      { Type: string; Default: string }
    >;
    const ssm = Object.values(parameters).filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value'));
    expect(ssm.map((p) => p.Default)).toEqual(
      expect.arrayContaining([
        '/serverless-commerce/dev-alice/data/orders-table/name',
        '/serverless-commerce/dev-alice/data/event-bus/name',
        '/serverless-commerce/dev-alice/identity/user-pool/id',
        '/serverless-commerce/dev-alice/identity/user-pool-client/id',
        '/serverless-commerce/dev-alice/payments/payment-requests-queue/url',
        '/serverless-commerce/dev-alice/payments/confirm-bank-transfer-function/arn',
        '/serverless-commerce/dev-alice/invoices/get-invoice-function/arn',
      ]),
    );
  });

  it('puts two personal stages side by side without a physical-name collision', () => {
    const aliceNames = physicalNames(alice, alice.stage);
    const bobNames = physicalNames(bob, bob.stage);
    expect(aliceNames.length).toBeGreaterThan(50);
    for (const name of aliceNames) expect(name).toMatch(/ \S*serverless-commerce[-/]dev-alice[-/]/);
    for (const name of bobNames) expect(name).toMatch(/ \S*serverless-commerce[-/]dev-bob[-/]/);
    expect(aliceNames.filter((name) => bobNames.includes(name))).toEqual([]);
    expect(new Set(aliceNames).size).toBe(aliceNames.length);
  });

  it('passes cdk-nag and CloudFormation validation: no unacknowledged finding in the validation report', () => {
    const report = JSON.parse(readFileSync(join(alice.app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  });

  it('acknowledges cdk-nag findings one resource and one finding at a time, each with a reason', () => {
    const acknowledgments = alice.app.node.findAll().flatMap((construct: IConstruct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            construct,
            id,
            reason,
          })),
        ),
    );
    expect(acknowledgments.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of acknowledgments) {
      expect(CfnResource.isCfnResource(construct), `${id} on ${construct.node.path} is on one resource`).toBe(
        true,
      );
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it('promotes one synthesized build from test to prod, each in its own account, with an approval before prod', () => {
    const template = alice.template(alice.pipeline);
    const [, pipeline] = resourcesOf(template, 'AWS::CodePipeline::Pipeline')[0] ?? [];
    const stages = pipeline?.Properties?.Stages as {
      Name: string;
      Actions: { Name: string; ActionTypeId: { Category: string }; RoleArn?: unknown }[];
    }[];
    expect(stages.map((stage) => stage.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
      'Assets',
      'test',
      'prod',
    ]);
    const actions = (name: string) => stages.find((stage) => stage.Name === name)?.Actions ?? [];
    expect(actions('prod')[0]?.ActionTypeId.Category).toBe('Approval');
    expect(JSON.stringify(actions('test'))).toContain('222222222222');
    expect(JSON.stringify(actions('prod'))).toContain('333333333333');
    expect(JSON.stringify(actions('test'))).not.toContain('333333333333');
    const synth = resourcesOf(template, 'AWS::CodeBuild::Project').find(([id]) => id.includes('Synth'));
    expect(JSON.stringify(synth?.[1].Properties?.Source)).toContain('npm ci');
    expect(JSON.stringify(synth?.[1].Properties?.Source)).toContain('npm run synth');
  });
});
