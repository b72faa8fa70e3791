import { createHash, randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@shop/shared/aws-clients';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import type { InvokeResult, LambdaInvoker, LogEntry } from '../../src/contracts.ts';
import {
  type BatchEvent,
  type SqsEventSource,
  type SqsEventSourceOptions,
  startSqsEventSource,
} from '../../src/sqs/event-source-mapping.ts';

/**
 * The SQS event source mapping against fauxqs, with queues and DLQs created through the real SQS
 * client, and a function played by the test. The tests run concurrently: each has its own queues,
 * and most wait on SQS visibility timeouts.
 */
const sqs = new SQSClient(awsClientConfig('sqs'));
const region = process.env.AWS_REGION ?? 'us-east-1';

interface TestQueue {
  url: string;
  arn: string;
  dlqUrl: string;
}

async function createQueue(
  options: { visibilityTimeout?: number; maxReceiveCount?: number } = {},
): Promise<TestQueue> {
  const name = `esm-${randomUUID().slice(0, 8)}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl as string;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 1),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await attribute(dlqUrl, 'QueueArn'),
          maxReceiveCount: options.maxReceiveCount ?? 2,
        }),
      },
    }),
  );
  const url = queue.QueueUrl as string;
  return { url, arn: await attribute(url, 'QueueArn'), dlqUrl };
}

async function attribute(
  queueUrl: string,
  name: 'QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible',
) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [name] }),
  );
  return Attributes?.[name] as string;
}

const isEmpty = async (queueUrl: string) =>
  (await attribute(queueUrl, 'ApproximateNumberOfMessages')) === '0' &&
  (await attribute(queueUrl, 'ApproximateNumberOfMessagesNotVisible')) === '0';

async function send(queueUrl: string, bodies: string[]): Promise<void> {
  const { Failed = [] } = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  expect(Failed).toEqual([]);
}

/** The function under the mapping: records every batch and answers as `respond` says. */
function aFunction(
  respond: (event: SQSEvent, call: number) => InvokeResult | Promise<InvokeResult> = () => ok(),
) {
  const batches: SQSRecord[][] = [];
  const invoked: string[] = [];
  const invoker: LambdaInvoker = {
    async invoke(functionName, event) {
      invoked.push(functionName);
      batches.push((event as SQSEvent).Records);
      return respond(event as SQSEvent, batches.length);
    },
  };
  const deliveries = (body: string) =>
    batches
      .flat()
      .filter((record) => record.body === body)
      .map((record) => record.attributes.ApproximateReceiveCount);
  return { invoker, batches, invoked, deliveries };
}

const ok = (payload: unknown = null): InvokeResult => ({ ok: true, payload });
const failing = (ids: string[]): InvokeResult =>
  ok({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) } satisfies SQSBatchResponse);
const idOf = (event: SQSEvent, body: string) =>
  event.Records.find((record) => record.body === body)?.messageId ?? '';

const mappings: SqsEventSource[] = [];
afterAll(() => Promise.all(mappings.map((mapping) => mapping.stop())));

function startMapping(
  queue: TestQueue,
  invoker: LambdaInvoker,
  overrides: Partial<SqsEventSourceOptions> = {},
): { mapping: SqsEventSource; logs: LogEntry[]; batchEvents: BatchEvent[] } {
  const logs: LogEntry[] = [];
  const batchEvents: BatchEvent[] = [];
  const mapping = startSqsEventSource({
    sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    functionName: 'ConsumerFunction',
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
    invoker,
    log: (entry) => logs.push(entry),
    region,
    ...overrides,
  });
  mapping.onBatch((batch) => batchEvents.push(batch));
  mappings.push(mapping);
  return { mapping, logs, batchEvents };
}

async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.concurrent('SQS event source mapping', () => {
  it('invokes the function with records in the shape Lambda builds, and deletes them on success', async () => {
    const queue = await createQueue();
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"type":"SendReceipt"}',
        MessageAttributes: {
          traceparent: { DataType: 'String', StringValue: '00-abc-01' },
          attempt: { DataType: 'Number', StringValue: '3' },
          signature: { DataType: 'Binary', BinaryValue: Buffer.from('signed') },
        },
      }),
    );
    const fn = aFunction();
    const { mapping } = startMapping(queue, fn.invoker);
    await eventually(() => fn.batches.length === 1, 'the first batch');
    await eventually(() => isEmpty(queue.url), 'the message to be deleted');
    await mapping.stop();

    const [record] = fn.batches[0] ?? [];
    expect(fn.invoked).toEqual(['ConsumerFunction']);
    expect(Object.keys(record ?? {})).toEqual([
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'md5OfMessageAttributes',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    expect(record).toEqual({
      messageId: sent.MessageId,
      receiptHandle: expect.stringMatching(/.+/),
      body: '{"type":"SendReceipt"}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        traceparent: {
          stringValue: '00-abc-01',
          stringListValues: [],
          binaryListValues: [],
          dataType: 'String',
        },
        attempt: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        signature: {
          binaryValue: Buffer.from('signed').toString('base64'),
          stringListValues: [],
          binaryListValues: [],
          dataType: 'Binary',
        },
      },
      md5OfBody: createHash('md5').update('{"type":"SendReceipt"}').digest('hex'),
      md5OfMessageAttributes: sent.MD5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: region,
    });
  });

  it('deletes all but the items reported as failed, and the failed one comes back with ApproximateReceiveCount 2', async () => {
    const queue = await createQueue();
    await send(queue.url, ['a', 'b', 'c']);
    const fn = aFunction((event, call) => (call === 1 ? failing([idOf(event, 'b')]) : ok()));
    const { mapping, batchEvents } = startMapping(queue, fn.invoker);
    await eventually(() => fn.deliveries('b').length === 2, 'the failed message to come back');
    await eventually(() => isEmpty(queue.url), 'the queue to empty');
    await mapping.stop();

    expect(fn.batches[0]?.map((record) => record.body)).toEqual(['a', 'b', 'c']);
    expect(fn.deliveries('b')).toEqual(['1', '2']);
    expect(fn.deliveries('a')).toEqual(['1']);
    expect(fn.deliveries('c')).toEqual(['1']);
    expect(batchEvents[0]).toMatchObject({
      bodies: ['a', 'b', 'c'],
      outcome: 'partial',
      deleted: 2,
      retainedMessageIds: [fn.batches[0]?.[1]?.messageId],
    });
  });

  it('lets a poison message reach the DLQ after maxReceiveCount without holding back the rest of its batch', async () => {
    const queue = await createQueue({ maxReceiveCount: 2 });
    await send(queue.url, ['good-1', 'poison', 'good-2']);
    const fn = aFunction((event) =>
      failing(event.Records.filter((r) => r.body === 'poison').map((r) => r.messageId)),
    );
    const { mapping } = startMapping(queue, fn.invoker);
    const inDlq = await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, WaitTimeSeconds: 1 }),
      );
      return Messages[0];
    }, 'the poison message in the DLQ');
    await mapping.stop();

    expect(inDlq.Body).toBe('poison');
    expect(fn.deliveries('poison')).toEqual(['1', '2']);
    expect(fn.deliveries('good-1')).toEqual(['1']);
    expect(fn.deliveries('good-2')).toEqual(['1']);
    expect(await isEmpty(queue.url)).toBe(true);
  });

  it.each([
    { what: 'a function error', first: { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } } },
    { what: 'an itemIdentifier that is not in the batch', first: failing(['not-a-message-of-this-batch']) },
    { what: 'an empty itemIdentifier', first: failing(['']) },
    { what: 'a response that is not a batch response', first: ok({ batchItemFailures: 'all of them' }) },
  ] satisfies { what: string; first: InvokeResult }[])(
    'keeps the whole batch after $what',
    async ({ first }) => {
      const queue = await createQueue({ maxReceiveCount: 5 });
      await send(queue.url, ['x', 'y']);
      const fn = aFunction((_, call) => (call === 1 ? first : ok()));
      const { mapping, batchEvents } = startMapping(queue, fn.invoker);
      await eventually(
        () => fn.deliveries('x').length === 2 && fn.deliveries('y').length === 2,
        'both redelivered',
      );
      await eventually(() => isEmpty(queue.url), 'the queue to empty');
      await mapping.stop();

      expect(fn.deliveries('x')).toEqual(['1', '2']);
      expect(fn.deliveries('y')).toEqual(['1', '2']);
      expect(batchEvents[0]).toMatchObject({ outcome: 'failed', deleted: 0 });
    },
  );

  it('deletes the whole batch when ReportBatchItemFailures is off, whatever the function returns', async () => {
    const queue = await createQueue();
    await send(queue.url, ['p', 'q']);
    const fn = aFunction((event) => failing([idOf(event, 'p')]));
    const { mapping, batchEvents } = startMapping(queue, fn.invoker, { reportBatchItemFailures: false });
    await eventually(() => batchEvents.length === 1, 'one batch');
    await eventually(() => isEmpty(queue.url), 'the queue to empty');
    await mapping.stop();

    expect(batchEvents[0]).toMatchObject({ outcome: 'success', deleted: 2, retainedMessageIds: [] });
  });

  it('never hands the function more than batchSize messages', async () => {
    const queue = await createQueue({ visibilityTimeout: 30 });
    const bodies = Array.from({ length: 7 }, (_, index) => `m${index}`);
    await send(queue.url, bodies);
    const fn = aFunction();
    const { mapping } = startMapping(queue, fn.invoker, { batchSize: 3 });
    await eventually(() => fn.batches.flat().length === 7, 'all seven messages');
    await mapping.stop();

    expect(Math.max(...fn.batches.map((batch) => batch.length))).toBe(3);
    expect(
      fn.batches
        .flat()
        .map((record) => record.body)
        .sort(),
    ).toEqual(bodies);
  });

  it('gathers messages arriving within the batching window into one batch, invoked as soon as it is full', async () => {
    const queue = await createQueue({ visibilityTimeout: 30 });
    const fn = aFunction();
    const { mapping } = startMapping(queue, fn.invoker, { batchSize: 2, maximumBatchingWindowSeconds: 20 });
    await send(queue.url, ['first']);
    await eventually(
      async () => (await attribute(queue.url, 'ApproximateNumberOfMessagesNotVisible')) === '1',
      'first received',
    );
    const secondSent = Date.now();
    await send(queue.url, ['second']);
    await eventually(() => fn.batches.length === 1, 'the batch');
    await mapping.stop();

    expect(Date.now() - secondSent).toBeLessThan(5_000);
    expect(fn.batches[0]?.map((record) => record.body)).toEqual(['first', 'second']);
  });

  it('invokes a batch that is not full once the batching window closes', async () => {
    const queue = await createQueue({ visibilityTimeout: 30 });
    const fn = aFunction();
    let invokedAt = 0;
    const { mapping } = startMapping(
      queue,
      {
        invoke: (name, event) => {
          invokedAt = Date.now();
          return fn.invoker.invoke(name, event);
        },
      },
      { batchSize: 10, maximumBatchingWindowSeconds: 1.5 },
    );
    const sentAt = Date.now();
    await send(queue.url, ['alone']);
    await eventually(() => fn.batches.length === 1, 'the batch');
    await mapping.stop();

    expect(fn.batches[0]?.map((record) => record.body)).toEqual(['alone']);
    expect(invokedAt - sentAt).toBeGreaterThanOrEqual(1_450);
    expect(invokedAt - sentAt).toBeLessThan(4_000);
  });

  it('logs SQS errors and keeps retrying with backoff, never throwing', async () => {
    const queue = await createQueue();
    const missing = { ...queue, url: queue.url.replace(/esm-/, 'missing-esm-') };
    const fn = aFunction();
    const { mapping, logs } = startMapping(missing, fn.invoker, { pollers: 1 });
    await eventually(() => logs.length >= 3, 'three failed polls');
    const started = Date.now();
    await mapping.stop();

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(logs[0]).toMatchObject({ level: 'WARN', source: expect.stringContaining('ConsumerFunction') });
    expect(logs[0]?.message).toMatch(/QueueDoesNotExist/);
    const delays = logs.map((entry) => Number(/retrying in (\d+) ms/.exec(entry.message)?.[1]));
    expect(delays.slice(0, 3)).toEqual([100, 200, 400]);
    expect(fn.batches).toEqual([]);
  });

  it('stop() waits for the batch in flight and handles it to the end', async () => {
    const queue = await createQueue({ visibilityTimeout: 30 });
    let finish: () => void = () => undefined;
    const fn = aFunction(async () => {
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return ok();
    });
    const { mapping } = startMapping(queue, fn.invoker, { pollers: 1 });
    await send(queue.url, ['slow']);
    await eventually(() => fn.batches.length === 1, 'the batch in flight');

    let stopped = false;
    const stopping = mapping.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    finish();
    await stopping;

    expect(await isEmpty(queue.url)).toBe(true);
  });
  it('pauses on disable() once its batch in flight is handled, and delivers what waited on enable(), to the same listeners', async () => {
    const queue = await createQueue();
    let finish: () => void = () => undefined;
    const fn = aFunction(async (_, call) => {
      if (call === 1) await new Promise<void>((resolve) => (finish = resolve));
      return ok();
    });
    const { mapping, batchEvents } = startMapping(queue, fn.invoker, { pollers: 1 });
    await send(queue.url, ['in flight']);
    await eventually(() => fn.batches.length === 1, 'the batch in flight');

    const disabled = mapping.disable();
    expect(mapping.state).toBe('disabling');
    finish();
    await disabled;
    expect(mapping.state).toBe('disabled');
    await send(queue.url, ['waited']);
    expect(await attribute(queue.url, 'ApproximateNumberOfMessages')).toBe('1');
    expect(fn.batches).toHaveLength(1);

    mapping.enable();
    expect(mapping.state).toBe('enabled');
    await eventually(
      () => batchEvents.some((batch) => batch.bodies.includes('waited')),
      'the waiting message',
    );
    expect(batchEvents.map((batch) => batch.bodies)).toEqual([['in flight'], ['waited']]);
  });

  it('starts disabled when asked, polling nothing until enabled', async () => {
    const queue = await createQueue();
    const fn = aFunction();
    const { mapping } = startMapping(queue, fn.invoker, { enabled: false });
    await send(queue.url, ['early']);

    expect(mapping.state).toBe('disabled');
    mapping.enable();
    await eventually(() => fn.deliveries('early').length === 1, 'the message sent before enable()');
  });
});

describe('SQS event source mapping, alone in the process', () => {
  it('stops promptly while long-polling an empty queue and leaves no timers behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const queue = await createQueue();
    const fn = aFunction();
    const { mapping } = startMapping(queue, fn.invoker, { pollers: 3, maximumBatchingWindowSeconds: 5 });
    await eventually(
      async () => (await attribute(queue.url, 'QueueArn')) === queue.arn,
      'the pollers to run',
    );
    const started = Date.now();
    await mapping.stop();

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(fn.batches).toEqual([]);
  });
});
