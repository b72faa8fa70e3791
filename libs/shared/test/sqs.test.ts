import { lambdaContext, sqsEvent } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import { createObservability } from '../src/observability.ts';
import { sqsBatchHandler } from '../src/sqs.ts';

const observability = createObservability();

describe('the SQS batch handler wrapper', () => {
  it('reports only the failed messages of a batch, after handling all the others', async () => {
    const handled: string[] = [];
    const handler = sqsBatchHandler(observability, {
      parse: (body) => JSON.parse(body) as { correlationId: string; value: string },
      handle: async (message) => {
        if (message.value === 'bad') throw new Error('cannot handle');
        handled.push(message.value);
      },
    });
    const event = sqsEvent([
      { correlationId: 'c1', value: 'a' },
      'not json',
      { correlationId: 'c3', value: 'bad' },
      { correlationId: 'c4', value: 'b' },
    ]);
    const result = await handler(event, lambdaContext());
    expect(handled).toEqual(['a', 'b']);
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[1]?.messageId },
      { itemIdentifier: event.Records[2]?.messageId },
    ]);
  });

  it('reports every message when the whole batch fails, rather than throwing', async () => {
    const handler = sqsBatchHandler(observability, {
      parse: () => {
        throw new Error('poison');
      },
      handle: async () => undefined,
    });
    const event = sqsEvent(['x', 'y']);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toHaveLength(2);
  });
});
