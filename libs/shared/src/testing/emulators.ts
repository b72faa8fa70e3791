import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LogEntry } from '@shop/local-services/contracts';
import { createEventBridgeService } from '@shop/local-services/eventbridge/event-bridge-service';
import { listenOnLoopback } from '@shop/local-services/listen';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import type { LocalEndpoints } from './endpoints.ts';

/**
 * DynamoDB (dynalite), SQS (fauxqs) and EventBridge (the local cloud's PutEvents endpoint) started in
 * this process, on loopback and ephemeral ports. They speak the real wire protocols, so the real SDK
 * clients run against them unchanged.
 */
export interface Emulators {
  endpoints: LocalEndpoints;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT_ID = '000000000000';

export async function startEmulators(): Promise<Emulators> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  const sqs = buildApp({ logger: false });
  await sqs.listen({ host: '127.0.0.1', port: 0 });
  const sqsEndpoint = `http://127.0.0.1:${(sqs.server.address() as AddressInfo).port}`;
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  const eventBridge = await createEventBridgeService({
    buses: [{ name: 'default', arn: `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/default` }],
    rules: [],
    acceptsResourceChanges: true,
    deliver: queueDelivery(sqsEndpoint),
    log: printProblems,
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  const refusing = createServer((socket) => socket.destroy());
  const refusingPort = (await listenOnLoopback(refusing)).port;
  return {
    endpoints: {
      dynamodb: `http://127.0.0.1:${dynamoPort}`,
      sqs: sqsEndpoint,
      eventbridge: eventBridge.endpoint,
      refusing: `http://127.0.0.1:${refusingPort}`,
    },
    async stop() {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
      await eventBridge.stop();
      await sqs.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

/**
 * Delivers to SQS queue targets on fauxqs, one message at a time in the order the events were
 * accepted: so once an event put after others has arrived, the others have too (`createTestBus`
 * waits for what a test put that way, with no sleep).
 */
function queueDelivery(endpoint: string) {
  const client = new SQSClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
  const urls = new Map<string, Promise<string>>();
  const urlOf = (arn: string) => {
    let url = urls.get(arn);
    if (!url) {
      const name = arn.split(':').at(-1) ?? arn;
      url = client
        .send(new GetQueueUrlCommand({ QueueName: name }))
        .then(({ QueueUrl }) => QueueUrl as string);
      urls.set(arn, url);
      url.catch(() => urls.delete(arn));
    }
    return url;
  };
  let previous: Promise<unknown> = Promise.resolve();
  return (target: { arn: string }, payload: unknown): Promise<void> => {
    const sent = previous.then(async () => {
      if (!target.arn.startsWith('arn:aws:sqs:')) {
        throw new Error(`The tests' EventBridge delivers to SQS queues only, not to ${target.arn}`);
      }
      await client.send(
        new SendMessageCommand({ QueueUrl: await urlOf(target.arn), MessageBody: JSON.stringify(payload) }),
      );
    });
    previous = sent.catch(() => undefined);
    return sent;
  };
}

/** A failed delivery explains a test that waits in vain: say so on stderr. */
function printProblems(entry: LogEntry): void {
  if (entry.level === 'WARN' || entry.level === 'ERROR') {
    process.stderr.write(`[test EventBridge] ${entry.level} ${entry.message}\n`);
  }
}

/**
 * Points the AWS SDK of this process at the emulators, with dummy credentials and no way to reach a
 * real AWS endpoint even when the developer's shell exports AWS_PROFILE or real keys.
 */
export function useEmulatorEnvironment(
  endpoints: LocalEndpoints,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  Object.assign(env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    // No emulator covers Step Functions in unit and handler tests; the tests that need it mock the
    // client explicitly. The refusing endpoint makes any forgotten call fail fast, never reach AWS.
    AWS_ENDPOINT_URL_SFN: endpoints.refusing,
    POWERTOOLS_SERVICE_NAME: 'test',
    POWERTOOLS_METRICS_NAMESPACE: 'ServerlessCommerceTest',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'SILENT',
  });
}
