import { readFileSync } from 'node:fs';
import { EVENTS } from '@shop/contracts/events';
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerlessCommerceStage } from '../src/serverless-commerce-stage.ts';
import { TABLES } from '../src/shared-data.ts';
import { deployedRouteKeys, HANDLERS, routeKeys } from './app-source.ts';
import { type CfnResource, resourcesOf, type Synthesized, ssmParameterId, synthesize } from './synth.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

/** Every service stack of the stage: not the stateful data and identity stacks, nor the scenario suite's role. */
const services = (stage: ServerlessCommerceStage): Stack[] =>
  stage.stacks.filter(
    (stack) => stack !== stage.data && stack !== stage.identity && stack !== stage.scenarios,
  );
const stages = () => [synthesized.stage, synthesized.pipeline.test, synthesized.pipeline.prod];
const templates = (stage: ServerlessCommerceStage): Template[] =>
  stage.stacks.map((s) => synthesized.template(s));

/** The handler name of a function, from its physical name `serverless-commerce-<stage>-<handler>`. */
const handlerOf = (fn: CfnResource, stage: ServerlessCommerceStage) =>
  propertiesOf(fn).FunctionName.replace(`serverless-commerce-${stage.config.name}-`, '');

type FunctionProperties = {
  FunctionName: string;
  Environment: { Variables: Record<string, string> };
  LoggingConfig: { LogGroup: { Ref: string } };
};
const propertiesOf = (fn: CfnResource) => fn.Properties as unknown as FunctionProperties;

const byRouteKey = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) =>
  String(a?.RouteKey).localeCompare(String(b?.RouteKey));

const serviceFunctions = (template: Template) =>
  resourcesOf(template, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties?.Runtime === 'nodejs24.x');

describe('queues', () => {
  it('gives every queue a DLQ, and every DLQ an alarm that notifies the alarm topic', () => {
    for (const stage of stages()) {
      for (const template of templates(stage)) {
        const queues = resourcesOf(template, 'AWS::SQS::Queue');
        const deadLetterTargets = new Set<string>();
        for (const [, queue] of queues) {
          const target = (
            queue.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': string[] } }
          )?.deadLetterTargetArn?.['Fn::GetAtt']?.[0];
          if (target) deadLetterTargets.add(target);
        }
        for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
          for (const target of (rule.Properties?.Targets as {
            DeadLetterConfig?: { Arn: { 'Fn::GetAtt': string[] } };
          }[]) ?? []) {
            const dlq = target.DeadLetterConfig?.Arn['Fn::GetAtt'][0];
            if (dlq) deadLetterTargets.add(dlq);
          }
        }
        for (const [id, queue] of queues) {
          expect(queue.Properties, id).toMatchObject({ SqsManagedSseEnabled: true });
          if (deadLetterTargets.has(id)) {
            template.hasResourceProperties('AWS::CloudWatch::Alarm', {
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } }],
              Threshold: 1,
              AlarmActions: [Match.anyValue()],
            });
          } else {
            expect(queue.Properties?.RedrivePolicy, `${id} has a DLQ`).toMatchObject({ maxReceiveCount: 5 });
          }
        }
        for (const [, policy] of resourcesOf(template, 'AWS::SQS::QueuePolicy')) {
          expect(JSON.stringify(policy.Properties), 'refuses requests without TLS').toContain(
            'aws:SecureTransport',
          );
        }
      }
    }
  });

  it('subscribes each service to the events it consumes, from the services that publish them', () => {
    const { stage } = synthesized;
    synthesized.template(stage.orders).hasResourceProperties('AWS::Events::Rule', {
      // Each source with its own types: invoices cannot send a PaymentCaptured through it.
      EventPattern: {
        $or: [
          {
            source: ['serverless-commerce.payments'],
            'detail-type': [
              EVENTS.PaymentCaptured.type,
              EVENTS.PaymentFailed.type,
              EVENTS.PaymentRefunded.type,
            ],
          },
          { source: ['serverless-commerce.invoices'], 'detail-type': [EVENTS.InvoiceIssued.type] },
        ],
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    synthesized.template(stage.payments).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['serverless-commerce.orders'], 'detail-type': [EVENTS.OrderCancelled.type] },
    });
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24, arm64, traced, logging to its own log group with a retention', () => {
    for (const stage of stages()) {
      for (const stack of services(stage)) {
        const template = synthesized.template(stack);
        const functions = serviceFunctions(template);
        expect(functions.length).toBeGreaterThan(0);
        for (const [id, fn] of functions) {
          expect(fn.Properties, id).toMatchObject({
            Handler: 'index.handler',
            Architectures: ['arm64'],
            TracingConfig: { Mode: 'Active' },
            LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
            Environment: {
              Variables: expect.objectContaining({
                NODE_OPTIONS: '--enable-source-maps',
                POWERTOOLS_SERVICE_NAME: expect.any(String),
                POWERTOOLS_METRICS_NAMESPACE: `serverless-commerce/${stage.config.name}`,
              }),
            },
          });
          const logGroup = propertiesOf(fn).LoggingConfig.LogGroup.Ref;
          expect(template.toJSON().Resources[logGroup].Properties.RetentionInDays).toBeGreaterThan(0);
        }
      }
    }
  });

  it('gives each function its own role', () => {
    for (const stage of stages()) {
      for (const template of templates(stage)) {
        const roles = resourcesOf(template, 'AWS::Lambda::Function').map(([, fn]) =>
          JSON.stringify(fn.Properties?.Role),
        );
        expect(new Set(roles).size).toBe(roles.length);
      }
    }
  });

  it('sets exactly the variables each bundle reads, and nothing another function needs', () => {
    const applicationVariables = [
      ...Object.values(TABLES).map(({ environmentVariable }) => environmentVariable),
      'PAYMENT_REQUESTS_QUEUE_URL',
      'EVENT_BUS_NAME',
      'PAYMENT_WORKFLOW_ARN',
      'TAX_RATE_BASIS_POINTS',
      'API_ROUTE_KEYS',
      'BANK_WEBHOOK_SECRET_ARN',
    ];
    const { stage } = synthesized;
    const checked: string[] = [];
    for (const stack of services(stage)) {
      for (const [, fn] of serviceFunctions(synthesized.template(stack))) {
        const variables = propertiesOf(fn).Environment.Variables;
        const service = variables.POWERTOOLS_SERVICE_NAME;
        const handler = handlerOf(fn, stage);
        const bundle = readFileSync(
          new URL(`../../apps/${service}/dist/${handler}/index.mjs`, import.meta.url),
          'utf8',
        );
        const read = applicationVariables.filter(
          (name) => bundle.includes(`"${name}"`) || bundle.includes(`'${name}'`),
        );
        const set = Object.keys(variables);
        expect(set.filter((name) => applicationVariables.includes(name)).sort(), handler).toEqual(
          read.sort(),
        );
        checked.push(`${service}/${handler}`);
      }
    }
    // One function per handler file, each checked: none missing, none extra.
    expect(checked.sort()).toEqual(HANDLERS.map(({ service, handler }) => `${service}/${handler}`).sort());
  });

  it('consumes queues with partial batch responses, bounded concurrency and a batch size chosen per queue', () => {
    const { stage, pipeline } = synthesized;
    const payments = synthesized.template(stage.payments);
    payments.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^StartPaymentFunction') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    for (const s of stages()) {
      for (const stack of services(s)) {
        for (const [id, mapping] of resourcesOf(
          synthesized.template(stack),
          'AWS::Lambda::EventSourceMapping',
        )) {
          expect(mapping.Properties, id).toMatchObject({
            FunctionResponseTypes: ['ReportBatchItemFailures'],
          });
        }
      }
    }
    // Reserved concurrency only where the account can spare it.
    for (const [, fn] of serviceFunctions(payments))
      expect(fn.Properties?.ReservedConcurrentExecutions).toBeUndefined();
    synthesized.template(pipeline.prod.payments).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'serverless-commerce-prod-start-payment',
      ReservedConcurrentExecutions: 20,
    });
  });

  it("alarms on every function's errors and throttles", () => {
    for (const stack of services(synthesized.pipeline.prod)) {
      const template = synthesized.template(stack);
      const count = serviceFunctions(template).length;
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) =>
        String(a.Properties?.AlarmName),
      );
      expect(alarms.filter((name) => /-(errors|error-rate)$/.test(name))).toHaveLength(count);
      expect(alarms.filter((name) => name.endsWith('-throttles'))).toHaveLength(count);
    }
  });
});

describe('alarms', () => {
  it('sends every alarm of a stage to its topic, named so that the topic policy lets CloudWatch publish', () => {
    for (const stage of stages()) {
      for (const template of templates(stage)) {
        for (const [id, alarm] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
          expect(alarm.Properties?.AlarmName, id).toMatch(
            new RegExp(`^serverless-commerce-${stage.config.name}-`),
          );
          expect(alarm.Properties?.AlarmActions, id).toHaveLength(1);
        }
      }
    }
    const policies = synthesized.template(synthesized.stage.data).findResources('AWS::SNS::TopicPolicy');
    const statements = Object.values(policies).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Principal: unknown }[],
    );
    const cloudWatch = statements.find((s) =>
      JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'),
    );
    expect(JSON.stringify(cloudWatch)).toContain(':alarm:serverless-commerce-dev-alice-*');
  });

  it('alarms on the payment workflow by its failure rate, not on each declined card', () => {
    synthesized.template(synthesized.stage.payments).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'serverless-commerce-dev-alice-payment-workflow-failures',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp('failed >= 5') })]),
    });
  });
});

describe('canary releases', () => {
  it('publishes test and prod functions behind a live alias that CodeDeploy shifts, rolling back on alarms', () => {
    for (const stage of [synthesized.pipeline.test, synthesized.pipeline.prod]) {
      for (const stack of services(stage)) {
        const template = synthesized.template(stack);
        const count = serviceFunctions(template).length;
        template.resourceCountIs('AWS::Lambda::Alias', count);
        template.allResourcesProperties('AWS::Lambda::Alias', { Name: 'live' });
        template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', count);
        for (const [id, group] of resourcesOf(template, 'AWS::CodeDeploy::DeploymentGroup')) {
          expect(group.Properties, id).toMatchObject({
            DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
            AlarmConfiguration: { Enabled: true, Alarms: [expect.anything(), expect.anything()] },
            AutoRollbackConfiguration: {
              Enabled: true,
              Events: expect.arrayContaining(['DEPLOYMENT_STOP_ON_ALARM']),
            },
          });
        }
        // Event sources invoke the alias, never $LATEST.
        for (const [, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
          expect(JSON.stringify(mapping.Properties?.FunctionName)).toMatch(/LiveAlias/);
        }
      }
    }
  });

  it('routes the API to the aliases in test and prod', () => {
    const { prod } = synthesized.pipeline;
    const template = synthesized.template(prod.orders);
    const parameters = template.toJSON().Parameters as Record<string, { Default?: string }>;
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(deployedRouteKeys().length);
    const publishedByOthers: string[] = [];
    for (const [id, integration] of integrations) {
      const uri = integration.Properties?.IntegrationUri as { Ref?: string };
      if (JSON.stringify(uri).includes('LiveAlias')) continue;
      // Another service's function, by the ARN it published: that must be its alias.
      const name = parameters[uri.Ref ?? '']?.Default ?? '';
      expect(name, id).toMatch(/^\/serverless-commerce\/prod\/[a-z]+\/[a-z-]+-function\/arn$/);
      publishedByOthers.push(name);
    }
    for (const name of publishedByOthers) {
      const service = name.split('/')[3];
      const stack = services(prod).find((s) => s.stackName === `serverless-commerce-prod-${service}`);
      expect(stack, name).toBeDefined();
      const published = resourcesOf(synthesized.template(stack as Stack), 'AWS::SSM::Parameter').find(
        ([, p]) => p.Properties?.Name === name,
      );
      expect(JSON.stringify(published?.[1].Properties?.Value), name).toMatch(/LiveAlias/);
    }
  });

  it('deploys personal stages without aliases or CodeDeploy', () => {
    for (const stack of services(synthesized.stage)) {
      synthesized.template(stack).resourceCountIs('AWS::Lambda::Alias', 0);
      synthesized.template(stack).resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
    }
  });
});

describe('HTTP API', () => {
  it('routes the HTTP contract with payload v2, default throttling and JSON access logs', () => {
    const template = synthesized.template(synthesized.stage.orders);
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey);
    expect(routes.sort()).toEqual(deployedRouteKeys().sort());
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    // The unmatched-route function knows exactly the contract's routes, to answer 405 or 404.
    const routeKeyLists = serviceFunctions(template).flatMap(([, fn]) => {
      const value = propertiesOf(fn).Environment.Variables.API_ROUTE_KEYS;
      return value === undefined ? [] : [value.split(',')];
    });
    expect(routeKeyLists).toHaveLength(1);
    expect(routeKeyLists[0]?.sort()).toEqual(routeKeys().sort());
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
    const [, apiStage] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage')[0] ?? [];
    const settings = apiStage?.Properties?.AccessLogSettings as { Format: string } | undefined;
    expect(JSON.parse(settings?.Format ?? '{}')).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      authorizerError: '$context.authorizer.error',
    });
  });

  it("checks a customer's token on every route but the bank's webhook, against the identity stack's user pool", () => {
    for (const stage of stages()) {
      const template = synthesized.template(stage.orders);
      const name = (parameter: string) => `/serverless-commerce/${stage.config.name}/identity/${parameter}`;
      const authorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer');
      expect(authorizers).toHaveLength(1);
      const [authorizerId, authorizer] = authorizers[0] ?? [];
      expect(authorizerId).toMatch(/^HttpApiCustomerAuthorizer/);
      expect(authorizer?.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Audience: [{ Ref: ssmParameterId(template, name('user-pool-client/id')) }],
          Issuer: {
            'Fn::Join': [
              '',
              [
                'https://cognito-idp.eu-west-1.',
                { Ref: 'AWS::URLSuffix' },
                '/',
                { Ref: ssmParameterId(template, name('user-pool/id')) },
              ],
            ],
          },
        },
      });

      const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
      // Open: the routes the bank calls, with no customer token; every other one needs it.
      const open = routes.filter((route) => route?.AuthorizationType !== 'JWT');
      expect(open.sort(byRouteKey)).toEqual(
        routeKeys('bank')
          .sort((a, b) => a.localeCompare(b))
          .map((routeKey) => ({
            ApiId: expect.anything(),
            AuthorizationType: 'NONE',
            RouteKey: routeKey,
            Target: expect.anything(),
          })),
      );
      const protectedRoutes = routes.filter((route) => route?.AuthorizationType === 'JWT');
      expect(protectedRoutes.map((route) => route?.RouteKey).sort()).toEqual(
        ['$default', ...routeKeys('customer')].sort(),
      );
      for (const route of protectedRoutes) expect(route?.AuthorizerId).toEqual({ Ref: authorizerId });
    }
  });

  it('counts refused customer tokens in the access log, and alarms on a burst of them', () => {
    const template = synthesized.template(synthesized.stage.orders);
    const [logGroupId] =
      resourcesOf(template, 'AWS::Logs::LogGroup').find(([id]) => id.startsWith('HttpApiAccessLogGroup')) ??
      [];
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: logGroupId },
      FilterPattern: '{ ($.status = "401") && ($.routeKey != "POST /webhooks/bank-transfers") }',
      MetricTransformations: [
        {
          MetricNamespace: 'serverless-commerce/dev-alice',
          MetricName: 'HttpApiUnauthorized',
          MetricValue: '1',
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'serverless-commerce-dev-alice-http-api-401-burst',
      Namespace: 'serverless-commerce/dev-alice',
      MetricName: 'HttpApiUnauthorized',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
  });
});

describe('bank-transfer webhook', () => {
  it("names the identity stack's webhook secret to confirm-bank-transfer alone", () => {
    const template = synthesized.template(synthesized.stage.payments);
    const secret = ssmParameterId(
      template,
      '/serverless-commerce/dev-alice/identity/bank-webhook-secret/arn',
    );
    const withSecret = serviceFunctions(template).filter(
      ([, fn]) => propertiesOf(fn).Environment.Variables.BANK_WEBHOOK_SECRET_ARN !== undefined,
    );
    expect(withSecret.map(([, fn]) => propertiesOf(fn).FunctionName)).toEqual([
      'serverless-commerce-dev-alice-confirm-bank-transfer',
    ]);
    expect(
      propertiesOf(withSecret[0]?.[1] as CfnResource).Environment.Variables.BANK_WEBHOOK_SECRET_ARN,
    ).toEqual({ Ref: secret });
  });

  it("alarms on any transfer unlike its payment, and on a burst of refused signatures, from the function's Powertools metrics", () => {
    const template = synthesized.template(synthesized.stage.payments);
    // Powertools: the namespace and the `service` dimension come from the function's environment.
    const powertools = {
      Namespace: 'serverless-commerce/dev-alice',
      Dimensions: [{ Name: 'service', Value: 'payments' }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...powertools,
      AlarmName: 'serverless-commerce-dev-alice-confirm-bank-transfer-mismatch',
      MetricName: 'BankTransferMismatch',
      Period: 60,
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...powertools,
      AlarmName: 'serverless-commerce-dev-alice-confirm-bank-transfer-signature-rejected',
      MetricName: 'WebhookSignatureRejected',
      Period: 300,
      Threshold: 5,
    });
    const [, confirmBankTransfer] =
      serviceFunctions(template).find(([id]) => id.startsWith('ConfirmBankTransferFunction')) ?? [];
    expect(propertiesOf(confirmBankTransfer as CfnResource).Environment.Variables).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: powertools.Namespace,
      POWERTOOLS_SERVICE_NAME: 'payments',
    });
  });
});

describe('dashboards', () => {
  it('draws one dashboard per service in test and prod, and none on personal stages', () => {
    for (const stack of services(synthesized.stage))
      synthesized.template(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    synthesized.template(synthesized.stage.data).resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    for (const stack of services(synthesized.pipeline.prod)) {
      synthesized.template(stack).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    }
  });
});
