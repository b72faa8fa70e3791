import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalModel } from '../template/local-model.ts';
import type { QueueDepth } from './activity-types.ts';

/**
 * Every queue's depth and its DLQ's, as the page shows them (keyed by the queue's name). Read
 * with GetQueueAttributes, the numbers the CloudWatch alarms on DLQ depth watch on AWS.
 */
export async function readQueueDepths(
  sqs: SQSClient,
  model: LocalModel,
): Promise<Record<string, QueueDepth>> {
  const counts = new Map<string, { visible: number; inFlight: number }>();
  await Promise.all(
    model.queues.map(async (queue) => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queue.url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      counts.set(queue.arn, {
        visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      });
    }),
  );
  const depths: Record<string, QueueDepth> = {};
  for (const queue of model.queues) {
    const own = counts.get(queue.arn) ?? { visible: 0, inFlight: 0 };
    const redrive = queue.attributes.RedrivePolicy;
    const dlqArn = redrive
      ? (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn
      : undefined;
    const dlq = dlqArn ? counts.get(dlqArn) : undefined;
    depths[queue.name] = { ...own, ...(dlq ? { dlq: dlq.visible + dlq.inFlight } : {}) };
  }
  return depths;
}
