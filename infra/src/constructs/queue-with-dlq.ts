import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { recordRunbook } from '../runbook.ts';
import { physicalName, type StageConfig } from '../stages.ts';

// Both kinds of queue use SQS-managed encryption: EventBridge and Step Functions can send to it
// without a key policy, and it costs nothing. Both refuse requests that do not use TLS.

export interface DeadLetterQueueProps {
  readonly stage: StageConfig;
  /** kebab-case role of the messages it keeps, e.g. `payment-requests`; its name ends in `-dlq`. */
  readonly name: string;
  readonly alarmTopic: sns.ITopic;
  /**
   * What waits in the DLQ and what that means for the orders, for docs/runbook.md (written into the
   * DLQ's template Metadata; `npm run runbook-tables -w @shop/docs-checks` makes its row of it).
   */
  readonly holds: string;
}

/** Where messages that could not be processed wait, with an alarm as soon as one arrives. */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;
  /** The physical name of the function consuming the source queue, once one does. */
  private consumer?: string;
  private readonly holds: string;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const { stage, name } = props;
    this.holds = props.holds;
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: physicalName(stage, `${name}-dlq`),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to investigate and redrive before a message is lost.
      retentionPeriod: Duration.days(14),
      removalPolicy: stage.removal,
    });
    this.alarm = new cloudwatch.Alarm(this, 'NotEmptyAlarm', {
      alarmName: physicalName(stage, `${name}-dlq-not-empty`),
      alarmDescription: `Messages of ${name} could not be processed: inspect, fix, then redrive the DLQ.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    recordRunbook(this.queue, { holds: this.holds });
  }

  /** Whether a function consuming the source queue has been recorded. */
  get hasConsumer(): boolean {
    return this.consumer !== undefined;
  }

  /** Names, in the runbook entry, the function whose logs explain why a message landed here. */
  recordConsumer(functionName: string): void {
    if (this.consumer !== undefined && this.consumer !== functionName) {
      throw new Error(
        `${this.node.path}: consumed by ${this.consumer} already; a second consumer (${functionName}) would compete for its messages`,
      );
    }
    this.consumer = functionName;
    recordRunbook(this.queue, { holds: this.holds, consumer: functionName });
  }
}

export interface QueueWithDlqProps extends DeadLetterQueueProps {
  /** Timeout of the function consuming the queue: the visibility timeout is six times as long. */
  readonly consumerTimeout: Duration;
  /**
   * Receives before a message moves to the DLQ. At least 5, so that a message returned because its
   * consumer was throttled is not mistaken for a poison message.
   * @default 5
   */
  readonly maxReceiveCount?: number;
}

/** A work queue with its dead-letter queue and the DLQ's alarm: every queue of the application has all three. */
export class QueueWithDlq extends Construct {
  /** The kebab-case role the physical names derive from. */
  readonly name: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const { stage, name } = props;
    this.name = name;
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', props);
    // The runbook sends whoever finds messages in the DLQ to the consumer's logs.
    this.node.addValidation({
      validate: () =>
        this.deadLetterQueue.hasConsumer
          ? []
          : [`${name}: no function consumes it (ServiceFunction.consume)`],
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: physicalName(stage, name),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for Lambda event sources: six times the function timeout, so that a batch
      // the poller retries is not handed to a second consumer meanwhile.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: props.maxReceiveCount ?? 5 },
      removalPolicy: stage.removal,
    });
  }
}
