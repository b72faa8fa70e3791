import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type LambdaHandler, type Observability, withObservability } from './observability.ts';

export type SqsBatchHandler = LambdaHandler<SQSEvent, SQSBatchResponse>;

/**
 * The one wrapper for SQS consumers. Records are handled one after another (each log line carries
 * its own message's correlation id) and failures are reported per record
 * (`ReportBatchItemFailures`): only the failed messages return to the queue, and a poison message
 * reaches its DLQ after the queue's maxReceiveCount without holding back the rest of its batch.
 */
export function sqsBatchHandler<TMessage extends { correlationId: string }>(
  observability: Observability,
  options: {
    /** Parses and validates a message body; throwing marks the message as failed. */
    parse: (body: string) => TMessage;
    handle: (message: TMessage, record: SQSRecord) => Promise<void>;
  },
): SqsBatchHandler {
  const { logger, metrics } = observability;
  const processor = new BatchProcessor(EventType.SQS);
  const handleRecord = async (record: SQSRecord): Promise<void> => {
    logger.setCorrelationId(undefined);
    logger.appendKeys({ messageId: record.messageId });
    try {
      const message = options.parse(record.body);
      logger.setCorrelationId(message.correlationId);
      await options.handle(message, record);
    } catch (error) {
      logger.error('Message failed; it returns to the queue', {
        error: error as Error,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      });
      throw error;
    } finally {
      logger.removeKeys(['messageId']);
    }
  };
  return withObservability(observability, async (event, context) => {
    const response = await processPartialResponse(event, handleRecord, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    const failed = response.batchItemFailures.length;
    metrics.addMetric('MessagesProcessed', MetricUnit.Count, event.Records.length - failed);
    metrics.addMetric('MessagesFailed', MetricUnit.Count, failed);
    return response;
  });
}
