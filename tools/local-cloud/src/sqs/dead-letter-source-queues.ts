import { parseQueueUrl } from './queue-url.ts';

/**
 * SQS's ListDeadLetterSourceQueues, which fauxqs refuses as an unknown action: the queues whose
 * RedrivePolicy names the given queue as their dead-letter queue, by name, in pages of MaxResults
 * (1 to 1000; a NextToken only when MaxResults is set, as on AWS), in SQS's JSON protocol.
 */
export const LIST_DEAD_LETTER_SOURCE_QUEUES = 'AmazonSQS.ListDeadLetterSourceQueues';

/** The part of fauxqs's queue store this reads. */
export interface QueueDirectory {
  allQueues(): Iterable<{ name: string; url: string; arn: string; attributes: Record<string, string> }>;
  getQueueByName(name: string): { arn: string } | undefined;
}

export interface SqsAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const MAX_RESULTS = 1000;

export function listDeadLetterSourceQueues(
  queues: QueueDirectory,
  accountId: string,
  request: unknown,
): SqsAnswer {
  const input = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
  const { QueueUrl, MaxResults, NextToken } = input;
  if (typeof QueueUrl !== 'string' || QueueUrl === '') {
    return sqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  }
  if (
    MaxResults !== undefined &&
    !(
      typeof MaxResults === 'number' &&
      Number.isInteger(MaxResults) &&
      MaxResults >= 1 &&
      MaxResults <= MAX_RESULTS
    )
  ) {
    return sqsError(
      'InvalidParameterValue',
      `Value ${String(MaxResults)} for parameter MaxResults is invalid. Reason: must be between 1 and ${MAX_RESULTS}.`,
    );
  }
  const after = NextToken === undefined ? undefined : nameInToken(NextToken);
  if (after === null) return sqsError('InvalidParameterValue', 'Invalid NextToken value.');
  const named = parseQueueUrl(QueueUrl);
  const deadLetterQueue =
    named && named.accountId === accountId ? queues.getQueueByName(named.name) : undefined;
  if (!deadLetterQueue) {
    return sqsError(
      'QueueDoesNotExist',
      'The specified queue does not exist.',
      'AWS.SimpleQueueService.NonExistentQueue',
    );
  }
  const sources = [...queues.allQueues()]
    .filter((queue) => deadLetterTargetOf(queue.attributes.RedrivePolicy) === deadLetterQueue.arn)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((queue) => after === undefined || queue.name > after);
  const page = sources.slice(0, MaxResults ?? MAX_RESULTS);
  const more = typeof MaxResults === 'number' && sources.length > page.length;
  const last = page.at(-1);
  return {
    status: 200,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: {
      queueUrls: page.map((queue) => queue.url),
      ...(more && last ? { NextToken: tokenAfter(last.name) } : {}),
    },
  };
}

function deadLetterTargetOf(redrivePolicy: string | undefined): string | undefined {
  if (!redrivePolicy) return undefined;
  try {
    const policy: unknown = JSON.parse(redrivePolicy);
    const target = (policy as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
    return typeof target === 'string' ? target : undefined;
  } catch {
    return undefined;
  }
}

// Opaque to the client, as AWS's tokens are: the name of the last queue of the page.
const TOKEN_PREFIX = 'dlsq:';

function tokenAfter(name: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${name}`).toString('base64url');
}

/** The name a token continues after, or null for text this never handed out. */
function nameInToken(token: unknown): string | null {
  if (typeof token !== 'string') return null;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith(TOKEN_PREFIX) && text.length > TOKEN_PREFIX.length
    ? text.slice(TOKEN_PREFIX.length)
    : null;
}

/**
 * An error of SQS's JSON protocol, with the code of its older query protocol in a header, which the
 * SDKs read as the error's name: SQS's own errors have an `AWS.SimpleQueueService.` one, the common
 * errors (MissingParameter, InvalidParameterValue) their plain code.
 */
function sqsError(code: string, message: string, queryCode = code): SqsAnswer {
  return {
    status: 400,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-query-error': `${queryCode};Sender`,
    },
    body: { __type: `com.amazonaws.sqs#${code}`, message },
  };
}
