import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker, LogEntry, LogSink } from '@shop/local-cloud/contracts';
import { createEventBridgeService } from '@shop/local-cloud/eventbridge/event-bridge-service';
import { listenOnLoopback } from '@shop/local-cloud/kit/http-server';
import { createSecretsManagerService } from '@shop/local-cloud/secretsmanager/secrets-manager-service';
import { createStepFunctionsService } from '@shop/local-cloud/stepfunctions/stepfunctions-service';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { type LocalEndpoints, REGION } from './endpoints.ts';

/**
 * DynamoDB (dynalite), SQS (fauxqs), EventBridge, Step Functions and Secrets Manager (the local
 * cloud's endpoints, from @shop/local-cloud) started in this process, on loopback and ephemeral
 * ports. They speak the real wire protocols, so the real SDK clients run against them unchanged.
 */
export interface Emulators {
  endpoints: LocalEndpoints;
  stop(): Promise<void>;
}

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
    log: printProblems('test EventBridge'),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const stepFunctions = await createStepFunctionsService({
    stateMachines: [],
    acceptsResourceChanges: true,
    invoker: noLambdaRuntime,
    functionNameFromArn: () => undefined,
    clients: {
      dynamodb: new DynamoDBClient({
        endpoint: `http://127.0.0.1:${dynamoPort}`,
        region: REGION,
        credentials,
      }),
      sqs: new SQSClient({
        endpoint: sqsEndpoint,
        region: REGION,
        credentials,
        useQueueUrlAsEndpoint: false,
      }),
    },
    putEvents: (entries) =>
      eventBridge.putEvents(
        entries.map((entry) => ({ ...entry, Time: entry.Time ? new Date(entry.Time) : undefined })),
      ),
    log: printServiceProblems('test Step Functions', 'stepfunctions'),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  const secretsManager = await createSecretsManagerService({
    secrets: [],
    acceptsResourceChanges: true,
    log: printProblems('test Secrets Manager'),
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
      stepfunctions: stepFunctions.endpoint,
      secretsmanager: secretsManager.endpoint,
      refusing: `http://127.0.0.1:${refusingPort}`,
    },
    async stop() {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
      await secretsManager.stop();
      await stepFunctions.stop();
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

/**
 * A service's warnings and errors (a failed delivery, a failed request) explain a test that waits in
 * vain: say so on stderr.
 */
function printProblems(service: string): LogSink {
  return (entry: LogEntry) => {
    if (entry.level === 'WARN' || entry.level === 'ERROR') {
      process.stderr.write(`[${service}] ${entry.level} ${entry.message}\n`);
    }
  };
}

/**
 * The service's own problems only: an execution that fails is what many tests make happen, and they
 * read it with DescribeExecution.
 */
function printServiceProblems(service: string, source: string): LogSink {
  const print = printProblems(service);
  return (entry: LogEntry) => {
    if (entry.source === source) print(entry);
  };
}

/**
 * The tests' Step Functions runs no functions: `functionNameFromArn` names none, so a state machine
 * with a Lambda task is refused by CreateStateMachine, and a task that names its function at run time
 * fails with Lambda.ResourceNotFoundException before this is reached.
 */
const noLambdaRuntime: LambdaInvoker = {
  invoke: (functionName) =>
    Promise.reject(new Error(`The tests' Step Functions has no Lambda runtime to invoke ${functionName}`)),
};
