import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSMessageAttribute, SQSRecord } from 'aws-lambda';

/**
 * The two halves of Lambda's SQS integration that are pure data: the record Lambda builds from a
 * received message, and how it reads the function's partial batch response.
 */
export interface EventSource {
  queueArn: string;
  region: string;
}

/** A received message as Lambda hands it to the function (field order and shapes as Lambda's). */
export function toSqsRecord(message: Message, source: EventSource): SQSRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ...message.Attributes } as SQSRecord['attributes'],
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toRecordAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
}

/** Lambda's shape: camelCase, binary as base64, list values always present (SQS reserves them). */
function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
    dataType: value.DataType ?? 'String',
  };
  if (value.StringValue !== undefined) return { stringValue: value.StringValue, ...attribute };
  if (value.BinaryValue !== undefined) return { binaryValue: base64(value.BinaryValue), ...attribute };
  return attribute;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * The message ids to keep in the queue after a successful invocation with ReportBatchItemFailures,
 * or `'all'` when Lambda would treat the whole batch as failed: a response that is not the expected
 * shape, or an itemIdentifier that is empty or names no message of the batch. An empty or absent
 * response is a complete success.
 */
export function failedMessageIds(payload: unknown, batch: readonly SQSRecord[]): Set<string> | 'all' {
  if (payload === null || payload === undefined) return new Set();
  if (typeof payload !== 'object' || Array.isArray(payload)) return 'all';
  const failures = (payload as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === null || failures === undefined) return new Set();
  if (!Array.isArray(failures)) return 'all';
  const inBatch = new Set(batch.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) return 'all';
    failed.add(id);
  }
  return failed;
}
