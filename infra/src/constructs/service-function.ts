import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type FunctionRunbook, recordRunbook } from '../runbook.ts';
import type { SharedTable } from '../shared-data.ts';
import { metricNamespace, physicalName, type StageConfig } from '../stages.ts';
import type { QueueWithDlq } from './queue-with-dlq.ts';

export type ServiceName = 'orders' | 'payments' | 'invoices';

const READ_ITEMS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const TABLE_ACTIONS = {
  read: READ_ITEMS,
  readWrite: [
    ...READ_ITEMS,
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

/**
 * `invokedBy` and `failureMeans` are what docs/runbook.md says about the function's alarms: written
 * into its template's Metadata, they become its rows there (`npm run runbook-tables -w @shop/docs-checks`).
 */
export interface ServiceFunctionProps extends FunctionRunbook {
  readonly stage: StageConfig;
  readonly service: ServiceName;
  /** The handler's file in apps/<service>/src/handlers, without `.ts`: its bundle is dist/<handler>. */
  readonly handler: string;
  readonly description: string;
  readonly alarmTopic: sns.ITopic;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 MiB: Lambda allots CPU in proportion, which keeps cold starts of the bundled SDK short */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /**
   * For functions whose errors are expected outcomes (a workflow task that throws CardDeclinedError
   * for the state machine to catch): alarm when more than this share of invocations fails, rather
   * than on any error.
   */
  readonly errorRateAlarmPercent?: number;
  /** Reserved concurrency; see StageConfig.reservedConcurrency for when to set it. */
  readonly reservedConcurrency?: number;
  /** The service's CodeDeploy application: required on stages that release with a canary. */
  readonly deploymentApplication?: codedeploy.ILambdaApplication;
}

/**
 * One Lambda function of a service, with the defaults every function of the application shares:
 * Node.js 24 on arm64, the prebuilt bundle of its handler, X-Ray tracing, a log group it owns (with
 * the stage's retention and removal policy), its own IAM role holding only the grants made through
 * the `bind*` helpers, and alarms on errors and throttles. On canary stages it is published behind a
 * `live` alias that CodeDeploy shifts with Canary10Percent5Minutes, rolling back on those alarms;
 * triggers attach to `target`, which is that alias there and the function elsewhere.
 */
export class ServiceFunction extends Construct {
  readonly function: lambda.Function;
  /** What triggers and callers invoke: the `live` alias on canary stages, else the function. */
  readonly target: lambda.IFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;
  readonly throttlesAlarm: cloudwatch.Alarm;
  readonly deploymentGroup?: codedeploy.LambdaDeploymentGroup;
  private readonly stage: StageConfig;
  private readonly eventSources = new Map<QueueWithDlq, SqsEventSource>();
  private readonly service: ServiceName;
  private readonly functionName: string;
  private readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { stage, service, handler } = props;
    this.stage = stage;
    this.service = service;
    const functionName = physicalName(stage, handler);
    this.functionName = functionName;
    this.alarmTopic = props.alarmTopic;

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}: only the grants this function's code uses.`,
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: stage.logRetention,
      removalPolicy: stage.removal,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy, which can write to any log group.
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(bundlePath(service, handler)),
      handler: 'index.handler',
      role: this.role,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: service,
        POWERTOOLS_METRICS_NAMESPACE: metricNamespace(stage),
        ...props.environment,
      },
    });
    recordRunbook(this.function, { invokedBy: props.invokedBy, failureMeans: props.failureMeans });

    // On canary stages every trigger invokes the `live` alias, which CodeDeploy moves to each new
    // version gradually; the function's alarms watch that alias and roll the release back.
    const alias = stage.canary
      ? new lambda.Alias(this, 'LiveAlias', { aliasName: 'live', version: this.function.currentVersion })
      : undefined;
    this.target = alias ?? this.function;

    this.errorsAlarm =
      props.errorRateAlarmPercent === undefined
        ? this.alarm('ErrorsAlarm', {
            name: 'errors',
            description: 'the function failed (an uncaught error or a timeout)',
            metric: this.perMinute(this.target.metricErrors()),
            threshold: 1,
          })
        : this.alarm('ErrorsAlarm', {
            name: 'error-rate',
            description: `${props.errorRateAlarmPercent}% or more of the invocations in a minute (5 or more) failed`,
            metric: this.errorRate(),
            threshold: props.errorRateAlarmPercent,
          });
    this.throttlesAlarm = this.alarm('ThrottlesAlarm', {
      name: 'throttles',
      description: 'invocations were throttled (reserved or account concurrency exhausted)',
      metric: this.perMinute(this.target.metricThrottles()),
      threshold: 1,
    });

    if (alias) {
      if (!props.deploymentApplication) {
        throw new Error(
          `${functionName}: stage ${stage.name} releases with a canary and needs a deploymentApplication`,
        );
      }
      this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
        application: props.deploymentApplication,
        deploymentGroupName: functionName,
        alias,
        deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
        alarms: [this.errorsAlarm, this.throttlesAlarm],
      });
    }
  }

  /**
   * Names the table in the function's environment and grants item access to it: `read` for
   * GetItem/BatchGetItem/Query/ConditionCheckItem, `readWrite` for those and the item writes.
   * Narrower than grantReadWriteData, which adds Scan, DescribeTable and the stream's actions.
   * `indexes` adds Query on each named global secondary index, `<table ARN>/index/<name>` and no
   * other; a name the table does not declare (TABLES in shared-data.ts) stops the synth.
   */
  bindTable(
    { name, table, environmentVariable, indexes: declared }: SharedTable,
    access: 'read' | 'readWrite',
    options: { readonly indexes?: readonly string[] } = {},
  ): this {
    const indexes = options.indexes ?? [];
    const unknown = indexes.filter((index) => !declared.includes(index));
    if (unknown.length > 0) {
      throw new Error(
        `${this.functionName}: the ${name} table has no index ${unknown.join(', ')} ` +
          `(its indexes: ${declared.join(', ') || 'none'}). Declare an index in TABLES of infra/src/shared-data.ts.`,
      );
    }
    this.function.addEnvironment(environmentVariable, table.tableName);
    table.grant(this.role, ...TABLE_ACTIONS[access]);
    if (indexes.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [...new Set(indexes)].map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    return this;
  }

  /** EVENT_BUS_NAME, and PutEvents on that bus only. */
  bindEventBus(bus: events.IEventBus): this {
    this.function.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.role);
    return this;
  }

  /** The queue's URL in `environmentVariable`, and SendMessage on that queue only. */
  bindQueueForSending(queue: sqs.IQueue, environmentVariable: string): this {
    this.function.addEnvironment(environmentVariable, queue.queueUrl);
    queue.grantSendMessages(this.role);
    return this;
  }

  /** PAYMENT_WORKFLOW_ARN-style variable, and StartExecution on that state machine only. */
  bindStateMachineForStarting(stateMachine: sfn.IStateMachine, environmentVariable: string): this {
    this.function.addEnvironment(environmentVariable, stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this.role);
    return this;
  }

  /**
   * Names the secret's ARN in `environmentVariable`, and GetSecretValue/DescribeSecret on that secret
   * only. Import the secret by its complete ARN: a partial one makes the grant `<name>-??????`.
   */
  bindSecret(secret: secretsmanager.ISecret, environmentVariable: string): this {
    this.function.addEnvironment(environmentVariable, secret.secretArn);
    secret.grantRead(this.role);
    return this;
  }

  /**
   * A metric the handler records with Powertools (`metrics.addMetric`): the stage's namespace and the
   * `service` dimension Powertools adds to every metric, both from the variables set above.
   */
  metric(metricName: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: metricNamespace(this.stage),
      metricName,
      dimensionsMap: { service: this.service },
      statistic: cloudwatch.Stats.SUM,
      period,
    });
  }

  /**
   * An alarm, to the stage's topic, once the handler has recorded `metricName` at least `threshold`
   * times within `period`. Named `<function>-<name>`.
   */
  alarmOnMetric(
    id: string,
    alarm: { metricName: string; name: string; description: string; threshold: number; period: Duration },
  ): cloudwatch.Alarm {
    return this.alarm(id, {
      name: alarm.name,
      description: alarm.description,
      metric: this.metric(alarm.metricName, alarm.period),
      threshold: alarm.threshold,
    });
  }

  /** SendTaskSuccess/Failure/Heartbeat for the tasks of that state machine; tokens carry the rest. */
  bindStateMachineForTaskResponses(stateMachine: sfn.IStateMachine): this {
    stateMachine.grantTaskResponse(this.role);
    return this;
  }

  /**
   * Consumes the queue with partial batch responses: a failed message returns to the queue alone,
   * and reaches the DLQ after maxReceiveCount without holding back the rest of its batch. The DLQ's
   * runbook entry names this function as the one whose logs explain what waits there.
   */
  consume(
    consumed: QueueWithDlq,
    batching: { readonly batchSize: number; readonly maxBatchingWindow?: Duration },
  ): this {
    consumed.deadLetterQueue.recordConsumer(this.functionName);
    const source = new SqsEventSource(consumed.queue, {
      reportBatchItemFailures: true,
      batchSize: batching.batchSize,
      ...(batching.maxBatchingWindow ? { maxBatchingWindow: batching.maxBatchingWindow } : {}),
      maxConcurrency: this.stage.consumerConcurrency,
    });
    this.target.addEventSource(source);
    this.eventSources.set(consumed, source);
    return this;
  }

  /** The UUID of the event source mapping that hands `consumed`'s messages to this function. */
  eventSourceMappingIdOf(consumed: QueueWithDlq): string {
    const source = this.eventSources.get(consumed);
    if (!source) throw new Error(`${this.functionName} does not consume ${consumed.queue.node.path}`);
    return source.eventSourceMappingId;
  }

  private perMinute(metric: cloudwatch.Metric): cloudwatch.Metric {
    return metric.with({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM });
  }

  /** Percentage of failed invocations in a minute, once there are at least 5 to judge by. */
  private errorRate(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(invocations >= 5, 100 * errors / invocations, 0)',
      usingMetrics: {
        errors: this.perMinute(this.target.metricErrors()),
        invocations: this.perMinute(this.target.metricInvocations()),
      },
      period: Duration.minutes(1),
      label: 'Error rate (%)',
    });
  }

  private alarm(
    id: string,
    alarm: { name: string; description: string; metric: cloudwatch.IMetric; threshold: number },
  ): cloudwatch.Alarm {
    const created = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.functionName}-${alarm.name}`,
      alarmDescription: `${this.functionName}: ${alarm.description}.`,
      metric: alarm.metric,
      threshold: alarm.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    return created;
  }
}
/**
 * The folder `npm run build` bundles a handler into (tools/bundling/src/bundle-handlers.mjs). Synth only reads
 * it, so a missing bundle is a build that has not run: say which command fixes it.
 */
function bundlePath(service: ServiceName, handler: string): string {
  const path = fileURLToPath(new URL(`../../../apps/${service}/dist/${handler}`, import.meta.url));
  if (!existsSync(`${path}/index.mjs`)) {
    throw new Error(
      `No bundle for ${service}:${handler} at ${path}. Run \`npm run build\` at the repository root ` +
        '(nx runs it before synth and test), then synthesize again.',
    );
  }
  return path;
}
