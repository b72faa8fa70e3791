import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalFauxqs } from '../../src/emulators/local-fauxqs.ts';
import { parseQueueUrl, queueUrl } from '../../src/sqs/queue-url.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';
import { accountId, clientOf, credentials, region, startLocalSqs } from './local-sqs.ts';

/**
 * The queue URLs the local SQS hands out, as a user's SDK client sees them: on a host that resolves
 * (the endpoint itself), so a client that sends to the queue URL reaches it.
 */
const folders = temporaryFolders();
const running = new Set<LocalFauxqs>();

afterAll(async () => {
  await Promise.all([...running].map((sqs) => sqs.stop()));
  folders.removeAll();
});

async function start(persistDir?: string): Promise<LocalFauxqs> {
  const sqs = await startLocalSqs(persistDir);
  running.add(sqs);
  return sqs;
}

async function stop(sqs: LocalFauxqs): Promise<void> {
  running.delete(sqs);
  await sqs.stop();
}

/**
 * A client configured as the SDK is by default, with no endpoint: it sends an operation that names a
 * queue to the queue URL's host. Its requests are refused before they leave unless they go to
 * loopback, so a wrong URL fails the test instead of reaching AWS.
 */
function defaultClient(): { client: SQSClient; hosts: string[] } {
  const hosts: string[] = [];
  const handler = new NodeHttpHandler();
  const client = new SQSClient({
    region,
    credentials,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    requestHandler: {
      handle(...[request, options]: Parameters<NodeHttpHandler['handle']>) {
        hosts.push(`${request.hostname}:${request.port}`);
        if (request.hostname !== '127.0.0.1') {
          return Promise.reject(new Error(`refused a request to ${request.hostname}: not loopback`));
        }
        return handler.handle(request, options);
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    },
  });
  return { client, hosts };
}

describe('the queue URLs of the local SQS', () => {
  it('are on the endpoint itself, the same in CreateQueue, GetQueueUrl and ListQueues answers', async () => {
    const sqs = await start();
    const client = clientOf(sqs);

    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'url-orders' }));
    const byName = await client.send(new GetQueueUrlCommand({ QueueName: 'url-orders' }));
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'url-' }));

    expect(QueueUrl).toBe(`${sqs.endpoint}/${accountId}/url-orders`);
    expect(QueueUrl).toBe(queueUrl(sqs.endpoint, accountId, 'url-orders'));
    expect(new URL(QueueUrl ?? '').hostname).toBe('127.0.0.1');
    expect(byName.QueueUrl).toBe(QueueUrl);
    expect(listed.QueueUrls).toEqual([QueueUrl]);
  });

  it("reach the local SQS from a client that sends to the queue URL's host, as the SDK does by default", async () => {
    const sqs = await start();
    const { QueueUrl } = await clientOf(sqs).send(
      new CreateQueueCommand({ QueueName: 'url-default-client' }),
    );
    const { client, hosts } = defaultClient();

    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'through the queue URL' }));
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

    expect(Messages.map((message) => message.Body)).toEqual(['through the queue URL']);
    expect(new Set(hosts)).toEqual(new Set([new URL(sqs.endpoint).host]));
  });

  it('follow the new port after a --persist restart, and a URL of the last run still names its queue', async () => {
    const persistDir = folders.make('queue-urls-');
    const first = await start(persistDir);
    const before = await clientOf(first).send(new CreateQueueCommand({ QueueName: 'url-persisted' }));
    await clientOf(first).send(new SendMessageCommand({ QueueUrl: before.QueueUrl, MessageBody: 'kept' }));
    await stop(first);

    const second = await start(persistDir);
    const client = clientOf(second);
    const after = await client.send(new GetQueueUrlCommand({ QueueName: 'url-persisted' }));
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'url-persisted' }));
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: before.QueueUrl, WaitTimeSeconds: 1 }),
    );
    await client.send(new DeleteQueueCommand({ QueueUrl: after.QueueUrl }));
    const afterDelete = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'url-persisted' }));

    expect(after.QueueUrl).toBe(queueUrl(second.endpoint, accountId, 'url-persisted'));
    expect(listed.QueueUrls).toEqual([after.QueueUrl]);
    expect(Messages.map((message) => message.Body)).toEqual(['kept']);
    expect(afterDelete.QueueUrls ?? []).toEqual([]);
  });
});

describe('parseQueueUrl', () => {
  it('reads the account and name of a queue URL, whatever its host and port', () => {
    expect(parseQueueUrl('http://127.0.0.1:4566/000000000000/orders-dlq')).toEqual({
      accountId,
      name: 'orders-dlq',
    });
    expect(parseQueueUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/payments.fifo')).toEqual({
      accountId: '123456789012',
      name: 'payments.fifo',
    });
  });

  it('refuses text that is not a queue URL', () => {
    for (const text of ['orders-dlq', 'http://127.0.0.1:4566/orders-dlq', 'http://127.0.0.1/1/2/3', '']) {
      expect(parseQueueUrl(text)).toBeUndefined();
    }
  });
});
