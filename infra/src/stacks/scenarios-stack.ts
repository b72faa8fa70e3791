import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PARAMETERS, readParameter, stageParameterPath } from '../parameters.ts';
import { TABLES, type TableName } from '../shared-data.ts';
import { physicalName, type StageConfig } from '../stages.ts';

/** Who runs the scenario suite (`npm run e2e -- --stage <name>`) against a deployed stage. */
export interface ScenarioSuiteRunner {
  /** The runner's role, e.g. the pipeline's step in the tooling account. */
  readonly roleName: string;
  /** Its account; unset means the stage's own account. */
  readonly account?: string;
}

/** `serverless-commerce-<stage>-scenario-suite`: known in advance, so a runner in another account can name it. */
export function scenarioSuiteRoleName(stage: StageConfig): string {
  return physicalName(stage, 'scenario-suite');
}

export interface ScenariosStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly runner: ScenarioSuiteRunner;
}

/**
 * The role the scenario suite runs as against a deployed stage: exactly the calls the suite makes
 * beside the HTTP API itself (which it calls as a signed-in customer or as the bank). It reads the
 * stage's parameters and webhook secret, creates and deletes its own customers, and reads the
 * tables, the event stream and the payment workflow to check what a scenario left behind, and it
 * pauses and resumes the invoice consumer. Deployed after the stacks whose parameters it reads
 * (data, identity, invoices).
 */
export class ScenariosStack extends Stack {
  readonly role: iam.Role;
  /** Every parameter of the stage, `.../parameter/<app>/<stage>/*`: the role's one wildcard. */
  readonly stageParametersArn: string;

  constructor(scope: Construct, id: string, props: ScenariosStackProps) {
    super(scope, id, props);
    const { stage, runner } = props;
    const read = (parameter: (typeof PARAMETERS)[keyof typeof PARAMETERS]) =>
      readParameter(this, stage, parameter);

    // The runner's role by its ARN: same-account runners (preview workflows) then need no grant of
    // their own, and another account's must also be allowed sts:AssumeRole on this role there.
    const runnerRoleArn = `arn:${this.partition}:iam::${runner.account ?? this.account}:role/${runner.roleName}`;
    this.role = new iam.Role(this, 'ScenarioSuiteRole', {
      roleName: scenarioSuiteRoleName(stage),
      description: `Assumed by ${runner.roleName} to run the scenario suite against the ${stage.name} stage.`,
      assumedBy: new iam.ArnPrincipal(runnerRoleArn),
    });

    // The suite reads the stage's parameters in one GetParametersByPath, which is authorized against
    // the path asked for: the stage's, written with or without its trailing slash.
    // The path without its slashes, as an ARN's resource name writes it.
    const stagePath = stageParameterPath(stage).slice(1, -1);
    this.stageParametersArn = this.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${stagePath}/*`,
    });
    this.grant(
      'ReadStageParameters',
      ['ssm:GetParametersByPath'],
      [
        this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: stagePath }),
        this.stageParametersArn,
      ],
    );
    this.grant(
      'SignWebhooksAsTheBank',
      ['secretsmanager:GetSecretValue'],
      [read(PARAMETERS.bankWebhookSecretArn)],
    );
    this.grant(
      'ManageScenarioCustomers',
      ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminSetUserPassword', 'cognito-idp:AdminDeleteUser'],
      [
        this.formatArn({
          service: 'cognito-idp',
          resource: 'userpool',
          resourceName: read(PARAMETERS.customerUserPoolId),
        }),
      ],
    );
    this.grant(
      'DescribePaymentWorkflow',
      ['states:DescribeStateMachine'],
      [
        this.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: physicalName(stage, 'payment-workflow'),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    );
    this.grant(
      'ReadTables',
      ['dynamodb:GetItem', 'dynamodb:Query'],
      (Object.keys(TABLES) as TableName[]).flatMap((name) => {
        const tableArn = read(TABLES[name].arnParameter);
        return [tableArn, ...Object.keys(TABLES[name].indexes).map((index) => `${tableArn}/index/${index}`)];
      }),
    );
    // Pausing the invoice consumer holds a paid order in PAID, so the suite can cancel it there.
    this.grant(
      'PauseInvoicing',
      ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      [
        this.formatArn({
          service: 'lambda',
          resource: 'event-source-mapping',
          resourceName: read(PARAMETERS.invoiceRequestsEventSourceMappingId),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    );
    this.grant(
      'ReadEventStream',
      ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'],
      [read(PARAMETERS.eventStreamArn)],
    );
  }

  private grant(sid: string, actions: string[], resources: string[]): void {
    this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources }));
  }
}
