import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedRouteKeys } from './app-source.ts';
import { type CfnResource, resourcesOf, type Synthesized, ssmParameterId, synthesize } from './synth.ts';

/**
 * The security review of the synthesized app, as tests: every stack of a personal stage, of the
 * pipeline and of its test and prod stages. A finding here is fixed in the stack, not in the test.
 */
let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

const everyTemplate = () =>
  synthesized.stacks.map((stack) => ({ path: stack.node.path, template: synthesized.template(stack) }));
const everyResource = (type: string) =>
  everyTemplate().flatMap(({ path, template }) =>
    resourcesOf(template, type).map(([id, resource]) => ({ id: `${path}/${id}`, resource })),
  );

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };

/** Every statement of every policy, with the roles it is attached to (an inline policy: its own role). */
function policyStatements(): { id: string; roles: unknown; statement: Statement }[] {
  const documents = [
    ...everyResource('AWS::IAM::Policy').map(({ id, resource }) => ({
      id,
      roles: resource.Properties?.Roles,
      document: resource.Properties?.PolicyDocument,
    })),
    ...everyResource('AWS::IAM::Role').flatMap(({ id, resource }) =>
      ((resource.Properties?.Policies as { PolicyDocument: unknown }[]) ?? []).map((policy) => ({
        id,
        roles: [id],
        document: policy.PolicyDocument,
      })),
    ),
  ];
  return documents.flatMap(({ id, roles, document }) =>
    (document as { Statement: Statement[] }).Statement.map((statement) => ({ id, roles, statement })),
  );
}

describe('IAM', () => {
  // Actions that read or write the application's data, or move its messages and events.
  const dataPlane =
    /^(dynamodb|sqs|kinesis|firehose|events):|^states:(StartExecution|SendTask\w+|StopExecution)$|^s3:(Get|Put|Delete)Object/;

  it('grants no data-plane action on a wildcard resource', () => {
    let checked = 0;
    for (const { id, statement } of policyStatements()) {
      const actions = [statement.Action].flat();
      if (statement.Effect !== 'Allow' || !actions.some((action) => dataPlane.test(action))) continue;
      checked += 1;
      for (const resource of [statement.Resource].flat()) {
        const text = JSON.stringify(resource);
        expect(text, `${id}: ${actions.join(', ')}`).not.toBe('"*"');
        // A wildcard may only follow a named resource (the objects of one bucket: `<bucket ARN>/*`),
        // never stand for the account, the region or the resource's name.
        const literals = text.match(/"[^"]*\*[^"]*"/g) ?? [];
        expect(
          literals.filter((literal) => literal !== '"/*"'),
          `${id}: ${actions.join(', ')}`,
        ).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});

describe('secrets', () => {
  // Built from parts so that this file does not match its own patterns.
  const secretPatterns = [
    new RegExp(`\\b(${'AK'}IA|${'AS'}IA)[0-9A-Z]{16}\\b`),
    new RegExp(`-----BEGIN [A-Z ]*${'PRIVATE'} KEY-----`),
    new RegExp(`aws_${'secret'}_access_key\\s*[=:]\\s*["']?[A-Za-z0-9/+]{40}`, 'i'),
    /\bgh[pousr]_[A-Za-z0-9]{36}\b/,
  ];

  it('lets the confirm-bank-transfer role, and the scenario suite on test, alone read the bank webhook secret, by its exact ARN', () => {
    // In every template, the pipeline's included: any statement that could read a secret.
    const grants = policyStatements().filter(({ statement }) =>
      [statement.Action].flat().some((action) => /^secretsmanager:|^\*$/.test(action)),
    );
    const stages = [synthesized.stage, synthesized.pipeline.test, synthesized.pipeline.prod];
    const secretArn = (stack: Stack, stageName: string) =>
      ssmParameterId(
        synthesized.template(stack),
        `/serverless-commerce/${stageName}/identity/bank-webhook-secret/arn`,
      );
    for (const stage of stages) {
      const path = stage.payments.node.path;
      const grant = grants.find(({ id }) => id.startsWith(`${path}/`));
      expect(grant?.roles, path).toEqual([
        { Ref: expect.stringMatching(/^ConfirmBankTransferFunctionRole/) },
      ]);
      expect(grant?.statement, path).toEqual({
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: secretArn(stage.payments, stage.config.name) },
      });
    }
    // The scenario suite signs webhooks as the bank: the value only, of test's secret only.
    const scenarios = synthesized.pipeline.test.scenarios as Stack;
    const suiteGrant = grants.find(({ id }) => id.startsWith(`${scenarios.node.path}/`));
    expect(suiteGrant?.roles).toEqual([{ Ref: expect.stringMatching(/^ScenarioSuiteRole/) }]);
    expect(suiteGrant?.statement).toEqual({
      Effect: 'Allow',
      Sid: 'SignWebhooksAsTheBank',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: secretArn(scenarios, 'test') },
    });
    expect(grants).toHaveLength(stages.length + 1);
    // Nor does a resource policy open it to another principal.
    expect(everyResource('AWS::SecretsManager::ResourcePolicy')).toEqual([]);
  });

  it('puts no secret in a template or a function environment', () => {
    for (const { path, template } of everyTemplate()) {
      const text = JSON.stringify(template.toJSON());
      for (const pattern of secretPatterns) expect(text, path).not.toMatch(pattern);
    }
    for (const { id, resource } of everyResource('AWS::Lambda::Function')) {
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {};
      const named = Object.entries(variables).filter(([name]) =>
        /SECRET|PASSWORD|PRIVATE_KEY|API_KEY|ACCESS_KEY/.test(name),
      );
      // Only where a secret is, never what it is: an ARN, read from the publishing stack's parameter.
      for (const [name, value] of named) {
        expect(name, id).toMatch(/_SECRET_ARN$/);
        expect(value, `${id} ${name}`).toEqual({ Ref: expect.stringMatching(/^SsmParameterValue/) });
      }
    }
  });

  it('keeps no secret in the source tree', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const skipped = new Set(['node_modules', '.git', 'dist', 'cdk.out', '.cdk.out', 'reports', '.nx']);
    const files: string[] = [];
    const walk = (directory: string) => {
      for (const name of readdirSync(directory)) {
        if (skipped.has(name)) continue;
        const path = join(directory, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|mts|mjs|js|json|ya?ml|md|sh|env)$|^\.env|^run$/.test(name)) files.push(path);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of secretPatterns) expect(text, file).not.toMatch(pattern);
    }
  });
});

describe('the HTTP API', () => {
  it('throttles every stage of the API', () => {
    const stages = everyResource('AWS::ApiGatewayV2::Stage');
    expect(stages.length).toBe(3);
    for (const { id, resource } of stages) {
      const settings = resource.Properties?.DefaultRouteSettings as Record<string, number>;
      expect(settings?.ThrottlingRateLimit, id).toBeGreaterThan(0);
      expect(settings?.ThrottlingBurstLimit, id).toBeGreaterThan(0);
    }
  });

  it('sends every route to a function that refuses bodies over 64 KiB', () => {
    // HTTP APIs take up to 10 MB; the limit of the contract is enforced by the shared HTTP wrapper,
    // so each routed bundle must contain it.
    const template = synthesized.template(synthesized.stage.orders);
    const json = template.toJSON() as {
      Resources: Record<string, CfnResource>;
      Parameters: Record<string, { Default?: string }>;
    };
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(deployedRouteKeys().length);
    for (const [id, route] of routes) {
      const integrationId = JSON.stringify(route.Properties?.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
      const uri = json.Resources[integrationId]?.Properties?.IntegrationUri as {
        'Fn::GetAtt'?: [string, string];
        Ref?: string;
      };
      let bundle: { service: string; handler: string };
      if (uri['Fn::GetAtt']) {
        const fn = json.Resources[uri['Fn::GetAtt'][0]]?.Properties as {
          FunctionName: string;
          Environment: { Variables: Record<string, string> };
        };
        bundle = {
          service: fn.Environment.Variables.POWERTOOLS_SERVICE_NAME ?? '',
          handler: fn.FunctionName.replace('serverless-commerce-dev-alice-', ''),
        };
      } else {
        // Another service's function, through the ARN it published: /<app>/<stage>/<service>/<handler>-function/arn
        const [, , , service = '', parameter = ''] = (json.Parameters[uri.Ref ?? '']?.Default ?? '').split(
          '/',
        );
        bundle = { service, handler: parameter.replace(/-function$/, '') };
      }
      const code = readFileSync(
        new URL(`../../apps/${bundle.service}/dist/${bundle.handler}/index.mjs`, import.meta.url),
        'utf8',
      );
      expect(code, `${id} → ${bundle.service}/${bundle.handler}`).toContain('Request body is larger than ${');
    }
  });
});

describe('data at rest and in transit', () => {
  it('encrypts every queue, table, stream and bucket', () => {
    const checks: [string, (properties: Record<string, unknown>) => boolean][] = [
      ['AWS::SQS::Queue', (p) => p.SqsManagedSseEnabled === true || p.KmsMasterKeyId !== undefined],
      ['AWS::DynamoDB::Table', (p) => (p.SSESpecification as { SSEEnabled?: boolean })?.SSEEnabled === true],
      [
        'AWS::Kinesis::Stream',
        (p) => (p.StreamEncryption as { EncryptionType?: string })?.EncryptionType === 'KMS',
      ],
      [
        'AWS::S3::Bucket',
        (p) =>
          ((p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] })
            ?.ServerSideEncryptionConfiguration?.length ?? 0) > 0,
      ],
    ];
    for (const [type, encrypted] of checks) {
      const resources = everyResource(type);
      expect(resources.length, type).toBeGreaterThan(0);
      for (const { id, resource } of resources) expect(encrypted(resource.Properties ?? {}), id).toBe(true);
    }
  });

  it('keeps every bucket, the event archive first, private and reachable over TLS only', () => {
    const buckets = everyTemplate().flatMap(({ path, template }) =>
      resourcesOf(template, 'AWS::S3::Bucket').map(([id, bucket]) => ({ path, template, id, bucket })),
    );
    expect(buckets.length).toBeGreaterThanOrEqual(7);
    for (const { path, template, id, bucket } of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, `${path}/${id}`).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').filter(
        ([, policy]) => JSON.stringify(policy.Properties?.Bucket) === JSON.stringify({ Ref: id }),
      );
      const statements = policies.flatMap(
        ([, policy]) =>
          (policy.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
      );
      expect(
        statements.some(
          (statement) =>
            statement.Effect === 'Deny' &&
            JSON.stringify(statement.Condition) ===
              JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
        `${path}/${id} refuses plain HTTP`,
      ).toBe(true);
    }
  });
});
