import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { physicalName, type StageConfig } from '../stages.ts';
import type { QueueWithDlq } from './queue-with-dlq.ts';
import type { ServiceFunction } from './service-function.ts';

export interface ServiceDashboardProps {
  readonly stage: StageConfig;
  readonly service: string;
  readonly functions: readonly ServiceFunction[];
  readonly queues: readonly QueueWithDlq[];
  /** Rows that only this service has (its API, its workflow), shown first. */
  readonly extraRows?: readonly cloudwatch.IWidget[][];
}

const period = Duration.minutes(5);

/** One service at a glance: its own rows, then every function and every queue it owns. */
export class ServiceDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const targets = props.functions.map((fn) => ({
      label: fn.node.id.replace(/Function$/, ''),
      target: fn.target,
    }));
    const perFunction = (title: string, metric: (fn: (typeof targets)[number]) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, width: 6, left: targets.map(metric) });

    const rows: cloudwatch.IWidget[][] = [
      ...(props.extraRows ?? []),
      [
        perFunction('Invocations', ({ label, target }) => target.metricInvocations({ label, period })),
        perFunction('Errors', ({ label, target }) => target.metricErrors({ label, period })),
        perFunction('Duration p95', ({ label, target }) =>
          target.metricDuration({ label, period, statistic: 'p95' }),
        ),
        perFunction('Throttles', ({ label, target }) => target.metricThrottles({ label, period })),
      ],
    ];
    if (props.queues.length > 0) {
      const label = (queue: QueueWithDlq) => queue.node.id.replace(/Queue$/, '');
      rows.push([
        new cloudwatch.GraphWidget({
          title: 'Messages waiting',
          width: 8,
          left: props.queues.map((q) =>
            q.queue.metricApproximateNumberOfMessagesVisible({ label: label(q), period }),
          ),
        }),
        new cloudwatch.GraphWidget({
          title: 'Age of oldest message (s)',
          width: 8,
          left: props.queues.map((q) =>
            q.queue.metricApproximateAgeOfOldestMessage({ label: label(q), period }),
          ),
        }),
        new cloudwatch.AlarmStatusWidget({
          title: 'Dead-letter queues',
          width: 8,
          alarms: props.queues.map((q) => q.deadLetterQueue.alarm),
        }),
      ]);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: physicalName(props.stage, props.service),
      defaultInterval: Duration.hours(3),
      widgets: rows,
    });
  }
}
