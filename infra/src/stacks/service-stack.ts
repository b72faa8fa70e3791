import type { EventDefinition } from '@shop/contracts/events';
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { QueueWithDlq, type QueueWithDlqProps } from '../constructs/queue-with-dlq.ts';
import { ServiceDashboard } from '../constructs/service-dashboard.ts';
import {
  ServiceFunction,
  type ServiceFunctionProps,
  type ServiceName,
} from '../constructs/service-function.ts';
import { SharedData } from '../shared-data.ts';
import { physicalName, type StageConfig } from '../stages.ts';

export interface ServiceStackProps extends StackProps {
  readonly stage: StageConfig;
}

export type FunctionOptions = Omit<
  ServiceFunctionProps,
  'stage' | 'service' | 'alarmTopic' | 'deploymentApplication'
>;

export type QueueOptions = Omit<QueueWithDlqProps, 'stage' | 'alarmTopic'>;

/**
 * What every service stack shares: the data stack's resources (through SSM), the stage's alarm
 * topic, a CodeDeploy application for canary releases, and a dashboard listing its functions and
 * queues. Each service subscribes to the bus itself: it owns its rules and the queues they feed.
 */
export abstract class ServiceStack extends Stack {
  protected readonly stage: StageConfig;
  protected readonly service: ServiceName;
  protected readonly data: SharedData;
  private readonly deploymentApplication?: codedeploy.LambdaApplication;
  private readonly functions: ServiceFunction[] = [];
  private readonly queues: QueueWithDlq[] = [];

  protected constructor(scope: Construct, id: string, service: ServiceName, props: ServiceStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    this.service = service;
    this.data = new SharedData(this, props.stage);
    if (props.stage.canary) {
      this.deploymentApplication = new codedeploy.LambdaApplication(this, 'DeploymentApplication', {
        applicationName: physicalName(props.stage, service),
      });
    }
  }

  protected addFunction(id: string, options: FunctionOptions): ServiceFunction {
    const fn = new ServiceFunction(this, id, {
      ...options,
      stage: this.stage,
      service: this.service,
      alarmTopic: this.data.alarmTopic,
      ...(this.deploymentApplication ? { deploymentApplication: this.deploymentApplication } : {}),
    });
    this.functions.push(fn);
    return fn;
  }

  /** A queue with its DLQ and the DLQ's alarm; the function that consumes it names itself there. */
  protected addQueue(id: string, options: QueueOptions): QueueWithDlq {
    const queue = new QueueWithDlq(this, id, {
      ...options,
      stage: this.stage,
      alarmTopic: this.data.alarmTopic,
    });
    this.queues.push(queue);
    return queue;
  }

  /**
   * A rule on the application's bus that feeds `queue` the events given, matched on the source and
   * detail-type their contracts name. Events the rule cannot deliver go to the queue's own DLQ,
   * where the same alarm sees them.
   */
  protected subscribe(id: string, queue: QueueWithDlq, subscribed: readonly EventDefinition[]): events.Rule {
    const types = subscribed.map((event) => event.type);
    // One source with its types per publisher: a list of sources and a list of types would take any
    // of the types from any of the sources, a PaymentCaptured from invoices among them.
    const bySource = Map.groupBy(subscribed, (event) => event.source);
    const patterns = [...bySource].map(([source, ofSource]) => ({
      source: [source],
      detailType: ofSource.map((event) => event.type),
    }));
    const eventPattern: events.EventPattern =
      patterns.length === 1 && patterns[0]
        ? patterns[0]
        : ({
            $or: patterns.map(({ source, detailType }) => ({ source, 'detail-type': detailType })),
          } as events.EventPattern);
    return new events.Rule(this, id, {
      ruleName: physicalName(this.stage, queue.name),
      description: `${types.join(', ')} for the ${this.service} service.`,
      eventBus: this.data.eventBus,
      eventPattern,
      targets: [new targets.SqsQueue(queue.queue, { deadLetterQueue: queue.deadLetterQueue.queue })],
    });
  }

  /**
   * Runs the function on an EventBridge schedule (`rate(1 hour)`, `cron(0 3 * * ? *)`): a rule on
   * the account's default bus, where schedules live, named `<app>-<stage>-<name>-schedule`.
   */
  protected runOnSchedule(
    id: string,
    fn: ServiceFunction,
    options: { readonly name: string; readonly schedule: string },
  ): events.Rule {
    return new events.Rule(this, id, {
      ruleName: physicalName(this.stage, `${options.name}-schedule`),
      description: `Runs ${options.name} on ${options.schedule}.`,
      schedule: events.Schedule.expression(options.schedule),
      targets: [new targets.LambdaFunction(fn.target)],
    });
  }

  /**
   * An alarm of the service's own, to the stage's alarm topic, once `metric` reaches `threshold` in
   * one period. Named `<app>-<stage>-<name>`, as the topic's policy requires.
   */
  protected addAlarm(
    id: string,
    alarm: { name: string; description: string; metric: cloudwatch.IMetric; threshold: number },
  ): cloudwatch.Alarm {
    const created = new cloudwatch.Alarm(this, id, {
      alarmName: physicalName(this.stage, alarm.name),
      alarmDescription: alarm.description,
      metric: alarm.metric,
      threshold: alarm.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new actions.SnsAction(this.data.alarmTopic));
    return created;
  }

  /** Call last: the dashboard lists the functions and queues added so far. Skipped where the stage has none. */
  protected addDashboard(extraRows: cloudwatch.IWidget[][] = []): void {
    if (!this.stage.dashboard) return;
    new ServiceDashboard(this, 'Dashboard', {
      stage: this.stage,
      service: this.service,
      functions: this.functions,
      queues: this.queues,
      extraRows,
    });
  }
}
