import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  paginateListDeadLetterSourceQueues,
  QueueDoesNotExist,
  type SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalFauxqs } from '../../src/emulators/local-fauxqs.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';
import { accountId, clientOf, startLocalSqs } from './local-sqs.ts';

/**
 * ListDeadLetterSourceQueues on the local SQS, through the SQS client a user runs: the queues whose
 * redrive policy names the dead-letter queue, paged as on AWS, and its refusals of bad input.
 */
const folders = temporaryFolders();
const persistDir = folders.make('dead-letter-sources-');
let sqs: LocalFauxqs;
let client: SQSClient;
let dlqUrl: string;
let otherDlqUrl: string;

async function createQueue(name: string, deadLetterQueueUrl?: string): Promise<string> {
  const RedrivePolicy = deadLetterQueueUrl
    ? JSON.stringify({
        deadLetterTargetArn: (
          await client.send(
            new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
          )
        ).Attributes?.QueueArn,
        maxReceiveCount: 3,
      })
    : undefined;
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, ...(RedrivePolicy ? { Attributes: { RedrivePolicy } } : {}) }),
  );
  return QueueUrl as string;
}

beforeAll(async () => {
  sqs = await startLocalSqs(persistDir);
  client = clientOf(sqs);
  dlqUrl = await createQueue('orders-dlq');
  otherDlqUrl = await createQueue('payments-dlq');
  for (const name of ['orders-c', 'orders-a', 'orders-b']) await createQueue(name, dlqUrl);
  await createQueue('payments', otherDlqUrl);
  await createQueue('unrelated');
});
afterAll(async () => {
  await sqs?.stop();
  folders.removeAll();
});

const urlsOf = (names: string[], endpoint = sqs.endpoint) =>
  names.map((name) => `${endpoint}/${accountId}/${name}`);

async function refusal(input: Record<string, unknown>): Promise<SQSServiceException> {
  const error = await client.send(new ListDeadLetterSourceQueuesCommand(input as never)).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof SQSServiceException)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('ListDeadLetterSourceQueues', () => {
  it('answers the queues whose redrive policy names the dead-letter queue, by name, and no NextToken without MaxResults', async () => {
    const answer = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    const other = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: otherDlqUrl }));
    const none = await client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: urlsOf(['unrelated'])[0] }),
    );

    expect(answer.queueUrls).toEqual(urlsOf(['orders-a', 'orders-b', 'orders-c']));
    expect(answer.NextToken).toBeUndefined();
    expect(other.queueUrls).toEqual(urlsOf(['payments']));
    expect(none.queueUrls).toEqual([]);
  });

  it('pages by MaxResults with a NextToken until the last page, as the SDK paginator reads it', async () => {
    const first = await client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl, MaxResults: 2 }),
    );
    const pages: string[][] = [];
    for await (const page of paginateListDeadLetterSourceQueues(
      { client, pageSize: 1 },
      { QueueUrl: dlqUrl },
    )) {
      pages.push(page.queueUrls ?? []);
    }

    expect(first.queueUrls).toEqual(urlsOf(['orders-a', 'orders-b']));
    expect(first.NextToken).toEqual(expect.any(String));
    expect(pages).toEqual(urlsOf(['orders-a', 'orders-b', 'orders-c']).map((url) => [url]));
  });

  it('refuses a queue that does not exist with QueueDoesNotExist', async () => {
    const missing = await refusal({ QueueUrl: urlsOf(['no-such-queue'])[0] });
    const notAUrl = await refusal({ QueueUrl: 'orders-dlq' });

    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(notAUrl).toBeInstanceOf(QueueDoesNotExist);
  });

  it('refuses a missing QueueUrl, a MaxResults out of 1 to 1000 and a NextToken it never handed out', async () => {
    const noUrl = await refusal({});
    const tooMany = await refusal({ QueueUrl: dlqUrl, MaxResults: 1001 });
    const zero = await refusal({ QueueUrl: dlqUrl, MaxResults: 0 });
    const forged = await refusal({ QueueUrl: dlqUrl, MaxResults: 1, NextToken: 'not-a-token' });

    expect(noUrl.name).toBe('MissingParameter');
    expect([tooMany.name, zero.name, forged.name]).toEqual([
      'InvalidParameterValue',
      'InvalidParameterValue',
      'InvalidParameterValue',
    ]);
    expect(tooMany.$metadata.httpStatusCode).toBe(400);
  });

  it('answers the same sources, on the new port, after a --persist restart', async () => {
    await sqs.stop();
    sqs = await startLocalSqs(persistDir);
    client = clientOf(sqs);

    const answer = await client.send(
      new ListDeadLetterSourceQueuesCommand({ QueueUrl: urlsOf(['orders-dlq'])[0] }),
    );

    expect(answer.queueUrls).toEqual(urlsOf(['orders-a', 'orders-b', 'orders-c']));
  });
});
