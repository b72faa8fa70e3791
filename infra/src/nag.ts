import { type App, CfnElement, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag's own rendering of a resource in a finding's id (`<AWS::AccountId>` for the account token).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import { PaymentWorkflow } from './constructs/payment-workflow.ts';
import { ServiceFunction } from './constructs/service-function.ts';
import { DataStack } from './stacks/data-stack.ts';
import { IdentityStack } from './stacks/identity-stack.ts';
import { OrdersService } from './stacks/orders-service.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { ScenariosStack } from './stacks/scenarios-stack.ts';

/**
 * cdk-nag's AWS Solutions rules run on every stack at synth, as a policy validation plugin: an
 * unacknowledged error fails the synth, and every finding, acknowledged or not, is listed in
 * cdk.out/validation-report.json.
 *
 * Every acknowledgment below names one resource and one finding, with the reason it is accepted.
 * They are found by construct type rather than by path, so each reason is written once.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  for (const construct of app.node.findAll()) {
    if (construct instanceof ServiceFunction) acknowledgeServiceFunction(construct);
    else if (construct instanceof PaymentWorkflow) acknowledgePaymentWorkflow(construct);
    else if (construct instanceof DataStack) acknowledgeDataStack(construct);
    else if (construct instanceof IdentityStack) acknowledgeIdentityStack(construct);
    else if (construct instanceof OrdersService) acknowledgeOrdersService(construct);
    else if (construct instanceof PipelineStack) acknowledgePipeline(construct);
    else if (construct instanceof ScenariosStack) acknowledgeScenarios(construct);
  }
}

/** Acknowledges one finding on one CloudFormation resource: the construct's own, or the construct itself. */
function acknowledge(construct: IConstruct, finding: string, reason: string): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(
      `${construct.node.path} is not a CloudFormation resource: acknowledge on the resource itself`,
    );
  }
  Validations.of(resource).acknowledge({ id: `AwsSolutions-${finding}`, reason });
}

/** The CloudFormation policy that holds a role's grants, where IAM5 reports its findings. */
function policyOf(role: IConstruct | undefined): IConstruct {
  const policy = role?.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${role?.node.path ?? 'A role'} has no default policy: review src/nag.ts`);
  return policy;
}

/** The logical id cdk-nag uses to name a resource inside a finding, e.g. `<Bucket83908E77.Arn>`. */
function logicalId(construct: IConstruct): string {
  const element = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(element).resolve(element.logicalId) as string;
}

const XRAY =
  'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) supports no resource-level permissions; ' +
  'this statement, added by tracing: ACTIVE, is the only wildcard of the role.';

function acknowledgeServiceFunction(fn: ServiceFunction): void {
  acknowledge(policyOf(fn.role), 'IAM5[Resource::*]', XRAY);
  if (fn.deploymentGroup) {
    acknowledge(
      fn.deploymentGroup.role,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
      "CodeDeploy's own managed policy for Lambda canaries (the CDK default): it can only shift this " +
        "account's aliases, read alarms and publish to CodeDeploy topics, and AWS keeps it current.",
    );
  }
}

function acknowledgePaymentWorkflow(workflow: PaymentWorkflow): void {
  const role = policyOf(workflow.stateMachine.role);
  acknowledge(
    role,
    'IAM5[Resource::*]',
    'CloudWatch Logs delivery (CreateLogDelivery, PutResourcePolicy, ...) and X-Ray, which the state ' +
      "machine's logging and tracing need, support no resource-level permissions.",
  );
  // Where the workflow invokes a function rather than an alias, the grant also covers the
  // function's versions and aliases (`<arn>:*`): still that one function.
  for (const fn of workflow.invokedFunctions) {
    if (fn instanceof lambda.Function) {
      acknowledge(
        role,
        `IAM5[Resource::<${logicalId(fn)}.Arn>:*]`,
        `Invokes ${fn.node.scope?.node.id} in any of its versions: one function, qualified or not.`,
      );
    }
  }
}

function acknowledgeDataStack(data: DataStack): void {
  const stream = data.archiveDeliveryStream;
  acknowledge(
    stream,
    'KDF1',
    'A delivery stream reading from Kinesis cannot enable its own server-side encryption: records are ' +
      'encrypted at rest in the source stream (aws/kinesis) and in the bucket (SSE-S3), in transit by TLS.',
  );
  // The S3 destination's grant, generated by the Firehose L2 on the archive bucket alone.
  const destinationRole = policyOf(stream.node.findChild('S3 Destination Role'));
  const bucket = `<${logicalId(data.archiveBucket)}.Arn>`;
  const firehoseS3 =
    'Firehose S3 destination grant on the archive bucket only: it writes objects, reads them back and ' +
    'aborts its multipart uploads; the wildcard is an S3 action family of that grant.';
  for (const action of ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']) {
    acknowledge(destinationRole, `IAM5[Action::${action}]`, firehoseS3);
  }
  acknowledge(
    destinationRole,
    `IAM5[Resource::${bucket}/*]`,
    'The objects of the archive bucket: Firehose names them by date.',
  );
  acknowledge(
    data.streamDeliveryFailures.queue,
    'SQS3',
    "This queue is itself a dead-letter queue: EventBridge's DLQ for the stream rule's target. cdk-nag " +
      'only recognises DLQs that a RedrivePolicy names.',
  );
}

function acknowledgeIdentityStack(identity: IdentityStack): void {
  const pool = identity.customerUserPool;
  acknowledge(
    pool,
    'COG2',
    'MFA is optional (TOTP) for customers of a shop: requiring it at sign-up turns buyers away. Passwords ' +
      'take 12 characters of four kinds, recovery is by email only, and sign-in never reveals whether an ' +
      'account exists.',
  );
  acknowledge(
    pool,
    'COG8',
    'The Lite plan: Plus (threat protection) costs nearly four times as much per monthly active user, the ' +
      'largest line of the bill at scale (docs/cost.md), and its adaptive blocking needs tuning against real ' +
      'traffic first. The http-api-401-burst alarm watches for token guessing meanwhile.',
  );
  acknowledge(
    identity.bankWebhookSecret,
    'SMG4',
    'Shared with the bank, which must sign with the new value when it changes: rotated by hand, in step ' +
      'with the bank (docs/runbook.md), never by a rotation Lambda that the bank would not follow.',
  );
}

/** Why each route that opts out of the customer authorizer is open. */
const OPEN_ROUTES: Record<string, string> = {
  'POST /webhooks/bank-transfers':
    "The bank's transfer notices: the bank holds no customer token. Each call is signed with HMAC-SHA256 " +
    'by the bank (Standard Webhooks), and confirm-bank-transfer refuses any missing, invalid or expired ' +
    'signature (401) before it reads or writes anything.',
};

function acknowledgeOrdersService(orders: OrdersService): void {
  for (const [routeKey, route] of orders.routes) {
    const { authorizationType } = route.node.defaultChild as apigwv2.CfnRoute;
    if (authorizationType !== undefined && authorizationType !== 'NONE') continue;
    const reason = OPEN_ROUTES[routeKey];
    if (!reason) throw new Error(`Route ${routeKey} has no authorizer and no reviewed reason in src/nag.ts`);
    acknowledge(route, 'APIG4', reason);
  }
}

function acknowledgeScenarios(scenarios: ScenariosStack): void {
  acknowledge(
    policyOf(scenarios.role),
    `IAM5[Resource::${flattenCfnReference(scenarios.resolve(scenarios.stageParametersArn))}]`,
    "The stage's own SSM parameters, which the scenario suite reads to find the stage's API, user pool, " +
      'tables and stream: read-only, and only under /<app>/<stage>/.',
  );
}

/**
 * The roles CDK Pipelines generates. Their wildcards are S3 action families and object keys on the
 * pipeline's own artifact bucket, KMS data-key actions on its own key, and CodeBuild's log and
 * report groups named after each project.
 */
function acknowledgePipeline(stack: PipelineStack): void {
  const { pipeline } = stack;
  const account = stack.account;
  const region = stack.region;
  const bucket = `<${logicalId(stack.artifactBucket)}.Arn>`;
  const artifacts =
    'CDK Pipelines grant on its own artifact bucket: the wildcard is an S3 action family of that grant.';
  const artifactObjects = "The objects of the pipeline's own artifact bucket.";
  const artifactKey =
    'CDK Pipelines grant on its own artifact key: data keys to encrypt and re-encrypt artifacts.';
  const readArtifacts = [
    'IAM5[Action::s3:GetBucket*]',
    'IAM5[Action::s3:GetObject*]',
    'IAM5[Action::s3:List*]',
  ];
  const writeArtifacts = [...readArtifacts, 'IAM5[Action::s3:Abort*]', 'IAM5[Action::s3:DeleteObject*]'];
  const useKey = ['IAM5[Action::kms:GenerateDataKey*]', 'IAM5[Action::kms:ReEncrypt*]'];
  const projectLogs = (project: IConstruct) => {
    const id = logicalId(project);
    return [
      `IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:/aws/codebuild/<${id}>:*]`,
      `IAM5[Resource::arn:aws:codebuild:${region}:${account}:report-group/<${id}>-*]`,
    ];
  };
  const codebuildLogs = "CodeBuild's log streams and report groups of this one project, named after it.";

  const policies: { role: IConstruct | undefined; findings: [string[], string][] }[] = [
    {
      role: pipeline.pipeline.role,
      findings: [
        [writeArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [useKey, artifactKey],
      ],
    },
    {
      role: pipeline.pipeline.node
        .findChild('Source')
        .node.children[0]?.node.tryFindChild('CodePipelineActionRole'),
      findings: [
        [writeArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [useKey, artifactKey],
      ],
    },
    {
      role: pipeline.synthProject.role,
      findings: [
        [writeArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [useKey, artifactKey],
        [projectLogs(pipeline.synthProject), codebuildLogs],
      ],
    },
    {
      role: pipeline.selfMutationProject.role,
      findings: [
        [readArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [useKey, artifactKey],
        [projectLogs(pipeline.selfMutationProject), codebuildLogs],
        [
          [`IAM5[Resource::arn:*:iam::${account}:role/*]`],
          'Assumes only the CDK bootstrap roles (the policy requires their aws-cdk:bootstrap-role tag) to ' +
            "deploy the pipeline's own stack.",
        ],
        [
          ['IAM5[Resource::*]'],
          'cloudformation:DescribeStacks and s3:ListBucket, read-only calls the CDK CLI makes while the ' +
            'pipeline updates itself.',
        ],
      ],
    },
    {
      role: stack.scenarioSuiteRunner,
      findings: [
        [readArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [useKey, artifactKey],
        [projectLogs(stack.scenarioSuite.project), codebuildLogs],
      ],
    },
    {
      role: pipeline.node.findChild('Assets').node.findChild('FileRole'),
      findings: [
        [readArtifacts, artifacts],
        [[`IAM5[Resource::${bucket}/*]`], artifactObjects],
        [
          [
            `IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:/aws/codebuild/*]`,
            `IAM5[Resource::arn:aws:codebuild:${region}:${account}:report-group/*]`,
            'IAM5[Resource::*]',
          ],
          'CDK Pipelines shares this role among all its asset-publishing projects, so its CodeBuild grants ' +
            '(logs, reports, builds) name no single project; they stay within the tooling account and region.',
        ],
      ],
    },
  ];
  for (const { role, findings } of policies) {
    const policy = policyOf(role);
    for (const [ids, reason] of findings) for (const id of ids) acknowledge(policy, id, reason);
  }
}
