import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type LocalCloud, startLocalCloud } from '@shop/local-cloud/cloud';
import type { LogEntry } from '@shop/local-cloud/contracts';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './e2e-support.ts';

/**
 * No wiring is written twice: a queue and a consumer that exist only in this test's own stack run
 * on the local cloud with no change to the local cloud, because everything is read from the template.
 */
const outdir = mkdtempSync(join(tmpdir(), 'extra-stack-'));
let cloud: LocalCloud | undefined;
afterAll(async () => {
  await cloud?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

describe('a stack the local cloud has never seen', () => {
  it('runs its queue and consumer as synthesized: environment, batch size and partial batch responses', async () => {
    // The CLI asks for asset metadata by default; an in-process App must ask for it.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Extra', { env: { region: 'eu-central-1' } });
    const deadLetters = new sqs.Queue(stack, 'ExtraDeadLetterQueue', { queueName: 'extra-dlq' });
    const queue = new sqs.Queue(stack, 'ExtraQueue', {
      queueName: 'extra-work',
      visibilityTimeout: Duration.seconds(30),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 2 },
    });
    const consumer = new lambda.Function(stack, 'ExtraConsumer', {
      functionName: 'extra-consumer',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(fileURLToPath(new URL('./fixtures/extra-consumer', import.meta.url))),
      environment: { GREETING: 'hello from the template' },
    });
    consumer.addEventSource(new SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true }));
    app.synth();

    const logs: LogEntry[] = [];
    cloud = await startLocalCloud({ assemblyDir: outdir, port: 0, log: (entry) => logs.push(entry) });
    expect(cloud.model.eventSourceMappings).toEqual([
      expect.objectContaining({
        functionName: 'extra-consumer',
        batchSize: 5,
        reportBatchItemFailures: true,
      }),
    ]);

    const client = new SQSClient({
      region: 'eu-central-1',
      endpoint: cloud.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });
    const queueUrl = cloud.model.queues.find((candidate) => candidate.name === 'extra-work')?.url;
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ping' }));

    const received = await eventually(
      async () => logs.filter((entry) => entry.message === 'extra consumer received'),
      (entries) => entries.length > 0,
    );
    expect(received[0]).toMatchObject({
      source: 'extra-consumer',
      fields: expect.objectContaining({ body: 'ping', greeting: 'hello from the template' }),
    });
  });
});
