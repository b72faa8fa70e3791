import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';
import type { HttpAnswer } from '../iam/access-denied.ts';
import {
  LIST_DEAD_LETTER_SOURCE_QUEUES,
  listDeadLetterSourceQueues,
} from '../sqs/dead-letter-source-queues.ts';
import { queueUrl } from '../sqs/queue-url.ts';

/**
 * fauxqs (SQS) on loopback, with the engine's own stores so that:
 * - the queue URLs it answers (CreateQueue, GetQueueUrl, ListQueues) are the engine's, on the
 *   endpoint it listens on (src/sqs/queue-url.ts), re-pointed at the new port after a restart;
 * - with `persistDir`, its SQLite persistence is wired as its `startFauxqs` helper does (fauxqs 2.4,
 *   dist/app.js: load the persisted state into the stores before persistence is assigned, then give
 *   every store and loaded queue the manager, and close it before the server), which binds 0.0.0.0;
 * - ListDeadLetterSourceQueues, which fauxqs refuses, is answered by a hook before its router;
 * - with `guard`, a hook before that one can refuse a call (IAM, src/iam): on fauxqs itself, so that
 *   a client that sends to the queue URL's host, the SDKs' default, is judged like one that sends to
 *   the configured endpoint.
 * The stores are not in the package's exports: they are loaded from its dist folder, next to the
 * entry point the exports do name.
 */
export interface LocalFauxqs {
  endpoint: string;
  /** Judges every later request before fauxqs does: an answer is sent instead of fauxqs's. */
  guard(judge: SqsGuard): void;
  stop(): Promise<void>;
}

/** The answer to send instead of fauxqs's, or undefined to let the request through. */
export type SqsGuard = (
  headers: IncomingHttpHeaders,
  input: Record<string, unknown>,
) => HttpAnswer | undefined;

export interface LocalFauxqsOptions {
  /** The region of the ARNs of requests that do not sign with one. */
  region: string;
  /** The account in the queue URLs: fauxqs's ARNs always name 000000000000. */
  accountId: string;
  persistDir?: string;
}

/** What the engine touches of fauxqs's SqsStore (dist/sqs/sqsStore.js). */
interface FauxqsQueue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
}
interface FauxqsQueueStore {
  queues: Map<string, FauxqsQueue>;
  allQueues(): Iterable<FauxqsQueue>;
  getQueueByName(name: string): FauxqsQueue | undefined;
  buildQueueUrl(name: string): string;
}

export async function startLocalFauxqs(options: LocalFauxqsOptions): Promise<LocalFauxqs> {
  const dist = (path: string) => new URL(path, import.meta.resolve('fauxqs')).href;
  const [{ SqsStore }, { SnsStore }, { S3Store }, { PersistenceManager }] = await Promise.all([
    import(dist('./sqs/sqsStore.js')),
    import(dist('./sns/snsStore.js')),
    import(dist('./s3/s3Store.js')),
    import(dist('./persistence.js')),
  ]);
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  const queues = sqsStore as FauxqsQueueStore;
  let endpoint = '';
  queues.buildQueueUrl = (name) => queueUrl(endpoint, options.accountId, name);

  const persistence = options.persistDir ? new PersistenceManager(options.persistDir) : undefined;
  if (persistence) {
    persistence.load(sqsStore, snsStore, s3Store);
    sqsStore.persistence = persistence;
    snsStore.persistence = persistence;
    s3Store.persistence = persistence;
    for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  }
  const app = buildApp({
    logger: false,
    defaultRegion: options.region,
    stores: { sqsStore, snsStore, s3Store },
  });
  if (persistence) app.addHook('preClose', () => persistence.close());
  let judge: SqsGuard | undefined;
  app.addHook('preHandler', async (request, reply) => {
    const body = request.body;
    const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const answer = judge?.(request.headers, input);
    if (answer) return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-amz-target'] !== LIST_DEAD_LETTER_SOURCE_QUEUES) return;
    const answer = listDeadLetterSourceQueues(queues, options.accountId, request.body);
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  repointQueueUrls(queues);
  return {
    endpoint,
    guard: (next) => {
      judge = next;
    },
    stop: () => app.close(),
  };
}

/**
 * The queues loaded from a previous run keep the URLs of its port: they get this run's. fauxqs keys
 * its queue map by URL (DeleteQueue removes the queue's URL from it), so the keys follow.
 */
function repointQueueUrls(queues: FauxqsQueueStore): void {
  for (const queue of [...queues.allQueues()]) {
    queues.queues.delete(queue.url);
    queue.url = queues.buildQueueUrl(queue.name);
    queues.queues.set(queue.url, queue);
  }
}
