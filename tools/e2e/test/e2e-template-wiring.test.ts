import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueUrlCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LogEntry } from '@shop/local-cloud';
import { eventually } from '@shop/testing/eventually';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { startCloudCommand, stopCommand } from './child-commands.ts';

/**
 * No wiring is written twice: a queue and a consumer that exist only in this test's own stack run
 * on the local cloud's command (`local-cloud --assembly DIR`, a child process, as another CDK app
 * would run it) with no change to the local cloud, because everything is read from the template.
 */
const outdir = mkdtempSync(join(tmpdir(), 'extra-stack-'));
const cli = createRequire(import.meta.url).resolve('@shop/local-cloud/cli');
let child: ChildProcess | undefined;

afterAll(async () => {
  await stopCommand(child);
  rmSync(outdir, { recursive: true, force: true });
});

describe('a stack the local cloud has never seen, run by its command', () => {
  it('runs its queue and consumer as synthesized: environment, batch size and partial batch responses', async () => {
    synthesizeExtraStack();
    const logs: LogEntry[] = [];
    // The failed message must come back within the test, so the template's 30 s visibility timeout is
    // capped at 5 s: a batch still in its consumer when the timeout ends is delivered again (SQS's
    // at-least-once), and a cold consumer on a loaded machine can take more than a second.
    const started = startCloudCommand(
      cli,
      ['--assembly', outdir, '--port', '0', '--json', '--max-visibility-timeout', '5'],
      logs,
    );
    child = started.child;
    const ready = await started.ready;
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const client = new SQSClient({
      region: 'eu-central-1',
      endpoint: ready.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      useQueueUrlAsEndpoint: false,
    });
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'extra-work' }));
    const bodies = ['ping-1', 'ping-2', 'ping-3', 'ping-4', 'ping-5', 'ping-6', 'fail-once'];
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );

    const received = () => logs.filter((entry) => entry.message === 'extra consumer received');
    // The failed message comes back after the (capped) visibility timeout, and alone: the others of
    // its batch were acknowledged.
    await eventually(
      async () => received().map((entry) => `${entry.fields?.body}#${entry.fields?.receiveCount}`),
      (seen) => seen.includes('fail-once#2'),
      40_000,
    );
    expect(received()[0]).toMatchObject({
      source: 'extra-consumer',
      fields: expect.objectContaining({ greeting: 'hello from the template' }),
    });
    const timesReceived = (body: string) => received().filter((entry) => entry.fields?.body === body).length;
    for (const body of bodies.filter((each) => each !== 'fail-once'))
      expect(timesReceived(body), body).toBe(1);
    expect(timesReceived('fail-once')).toBe(2);
    // Seven messages at once, in batches of at most the template's five.
    expect(Math.max(...received().map((entry) => Number(entry.fields?.batchSize)))).toBeLessThanOrEqual(5);
    // A child process to start, a cold consumer, and a 5 s visibility timeout to wait out once.
  }, 60_000);
});

function synthesizeExtraStack(): void {
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
}
