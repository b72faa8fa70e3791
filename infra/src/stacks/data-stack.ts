import { EVENT_SOURCE_PREFIX } from '@shop/contracts/envelope';
import { Duration, RemovalPolicy, Size, Stack, type StackProps } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from '../constructs/queue-with-dlq.ts';
import { PARAMETERS, publishParameter } from '../parameters.ts';
import { TABLES, type TableName } from '../shared-data.ts';
import { physicalName, type StageConfig } from '../stages.ts';

export interface DataStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * The stateful part of the application, deployed first and changed rarely: the tables (TABLES), the
 * event bus and its archive, and the analytics/audit path bus → Kinesis → Firehose → S3. Every
 * table has exactly one writing service, but the tables live here because data outlives compute:
 * a service stack can be deleted and redeployed without touching them. Service stacks find these
 * resources through SSM parameters, never CloudFormation exports.
 */
export class DataStack extends Stack {
  /** Every table of TABLES, by name. */
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly eventBus: events.EventBus;
  readonly eventStream: kinesis.Stream;
  readonly archiveBucket: s3.Bucket;
  readonly archiveDeliveryStream: firehose.DeliveryStream;
  /** EventBridge's dead-letter queue for the stream rule's target. */
  readonly streamDeliveryFailures: DeadLetterQueue;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const tableNames = Object.keys(TABLES) as TableName[];
    const { stage } = props;
    const dataRemoval = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const table = (name: TableName) => {
      const { id, indexes, partitionKey, timeToLiveAttribute } = TABLES[name];
      const created = new dynamodb.Table(this, id, {
        tableName: physicalName(stage, name),
        partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
        // On-demand: an idle personal stage costs nothing, and no capacity needs planning.
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // The AWS-managed key (aws/dynamodb) rather than the default AWS-owned one: key use shows
        // in CloudTrail, at no monthly key cost.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: stage.retainData,
        removalPolicy: dataRemoval,
        ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
      });
      for (const [indexName, index] of Object.entries(indexes)) {
        created.addGlobalSecondaryIndex({
          indexName,
          partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
          ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
          // Whole items: a query on the index answers without a second read of the table.
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      return created;
    };

    this.tables = Object.fromEntries(tableNames.map((name) => [name, table(name)])) as Record<
      TableName,
      dynamodb.Table
    >;

    this.alarmTopic = this.createAlarmTopic(stage);

    this.eventStream = new kinesis.Stream(this, 'EventStream', {
      streamName: physicalName(stage, 'events'),
      // The only resource here billed by the hour: an on-demand stream has an hourly charge, one
      // provisioned shard costs about $0.015 an hour. Personal stages take the shard.
      ...(stage.kinesisShards === undefined
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: stage.kinesisShards }),
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(24),
      removalPolicy: dataRemoval,
    });

    const archive = this.createArchive(stage, dataRemoval);
    this.archiveBucket = archive.bucket;
    this.archiveDeliveryStream = archive.deliveryStream;

    this.eventBus = new events.EventBus(this, 'EventBus', {
      eventBusName: physicalName(stage, 'events'),
      description: `Domain events of every service (source ${EVENT_SOURCE_PREFIX}.<service>).`,
    });
    const domainEvents: events.EventPattern = { source: events.Match.prefix(`${EVENT_SOURCE_PREFIX}.`) };
    const busArchive = this.eventBus.archive('EventBusArchive', {
      archiveName: physicalName(stage, 'events'),
      description: 'Every domain event, for replay after an incident or into a new consumer.',
      eventPattern: domainEvents,
      retention: stage.eventArchiveRetention,
    });
    busArchive.applyRemovalPolicy(dataRemoval);

    // Events EventBridge could not put on the stream after its retries (24 hours) wait here.
    this.streamDeliveryFailures = new DeadLetterQueue(this, 'StreamDeliveryDeadLetterQueue', {
      stage,
      name: 'stream-delivery',
      alarmTopic: this.alarmTopic,
      holds:
        `events EventBridge could not put on the Kinesis stream \`${physicalName(stage, 'events')}\` for 24 ` +
        'hours: a gap in the analytics and audit archive, not in the order flow',
    });
    new events.Rule(this, 'DomainEventsToStreamRule', {
      ruleName: physicalName(stage, 'domain-events-to-stream'),
      description: 'Copies every domain event to the Kinesis stream (analytics and audit).',
      eventBus: this.eventBus,
      eventPattern: domainEvents,
      targets: [
        new targets.KinesisStream(this.eventStream, {
          // Every domain event carries data.orderId (@shop/contracts/events): one order's events
          // land on one shard, in order.
          partitionKeyPath: '$.detail.data.orderId',
          deadLetterQueue: this.streamDeliveryFailures.queue,
        }),
      ],
    });

    for (const name of tableNames) {
      publishParameter(this, stage, TABLES[name].parameter, this.tables[name].tableName);
      publishParameter(this, stage, TABLES[name].arnParameter, this.tables[name].tableArn);
    }
    publishParameter(this, stage, PARAMETERS.eventBusName, this.eventBus.eventBusName);
    publishParameter(this, stage, PARAMETERS.eventBusArn, this.eventBus.eventBusArn);
    publishParameter(this, stage, PARAMETERS.eventStreamName, this.eventStream.streamName);
    publishParameter(this, stage, PARAMETERS.eventStreamArn, this.eventStream.streamArn);
    publishParameter(this, stage, PARAMETERS.eventArchiveBucketName, this.archiveBucket.bucketName);
    publishParameter(this, stage, PARAMETERS.alarmTopicArn, this.alarmTopic.topicArn);
  }

  /** The stage's one alarm topic (every alarm of every stack) and, on personal stages, the budget alert. */
  private createAlarmTopic(stage: StageConfig): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: physicalName(stage, 'alarms'),
      displayName: `serverless-commerce ${stage.name} alarms`,
      enforceSSL: true,
    });
    if (stage.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(stage.alarmEmail));
    // The topic policy that enforces TLS replaces SNS's default one: name the publishers it allows.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:${physicalName(stage, '*')}`,
          },
        },
      }),
    );
    if (stage.budgetMonthlyUsd === undefined) return topic;

    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'BudgetsPublish',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const alert = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notification: {
        notificationType,
        comparisonOperator: 'GREATER_THAN',
        threshold,
        thresholdType: 'PERCENTAGE',
      },
      subscribers: [{ subscriptionType: 'SNS', address: topic.topicArn }],
    });
    new budgets.CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetName: physicalName(stage, 'monthly'),
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: stage.budgetMonthlyUsd, unit: 'USD' },
        // Only this stage's resources: every resource carries the `stage` tag. Budgets can filter on
        // a tag once it is activated as a cost allocation tag (Billing console, once per account).
        filterExpression: { tags: { key: 'stage', values: [stage.name], matchOptions: ['EQUALS'] } },
      },
      notificationsWithSubscribers: [alert('ACTUAL', 80), alert('FORECASTED', 100)],
    });
    return topic;
  }

  /** Firehose batches the stream into compressed objects in a private, TLS-only bucket. */
  private createArchive(
    stage: StageConfig,
    dataRemoval: RemovalPolicy,
  ): { bucket: s3.Bucket; deliveryStream: firehose.DeliveryStream } {
    const autoDeleteObjects = !stage.retainData;
    const accessLogs = new s3.Bucket(this, 'ArchiveAccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: stage.archiveExpiration }],
      removalPolicy: dataRemoval,
      autoDeleteObjects,
    });
    const keepLong = stage.archiveExpiration.toDays() > 180;
    const bucket = new s3.Bucket(this, 'EventArchiveBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: stage.retainData,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'event-archive/',
      lifecycleRules: [
        {
          id: 'ArchiveThenExpire',
          // Archived events are read rarely and after the fact: where they are kept for long, they
          // move to Glacier Instant Retrieval (cheaper storage, same latency) after three months.
          ...(keepLong
            ? {
                transitions: [
                  {
                    storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transitionAfter: Duration.days(90),
                  },
                ],
              }
            : {}),
          expiration: stage.archiveExpiration,
          ...(stage.retainData ? { noncurrentVersionExpiration: Duration.days(30) } : {}),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: dataRemoval,
      autoDeleteObjects,
    });

    const deliveryLogs = new logs.LogGroup(this, 'EventArchiveDeliveryLogGroup', {
      logGroupName: `/aws/kinesisfirehose/${physicalName(stage, 'event-archive')}`,
      retention: stage.logRetention,
      removalPolicy: stage.removal,
    });
    const deliveryStream = new firehose.DeliveryStream(this, 'EventArchiveDeliveryStream', {
      deliveryStreamName: physicalName(stage, 'event-archive'),
      source: new firehose.KinesisStreamSource(this.eventStream),
      destination: new firehose.S3Bucket(bucket, {
        dataOutputPrefix: 'events/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        errorOutputPrefix:
          'errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/',
        compression: firehose.Compression.GZIP,
        bufferingInterval: Duration.minutes(5),
        bufferingSize: Size.mebibytes(5),
        loggingConfig: new firehose.EnableLogging(deliveryLogs),
      }),
    });
    return { bucket, deliveryStream };
  }
}
