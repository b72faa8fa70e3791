import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import { awsEnvironment } from '../../src/command-line/banner.ts';
import type { LogEntry } from '../../src/contracts.ts';
import type { BatchEvent } from '../../src/sqs/event-source-mapping.ts';
import { JOBS_MAPPING_PARAMETER, synthesizeQueueConsumerStack } from '../fixtures/queue-consumer-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * The Lambda API of the templates' SQS event source mappings, driven with the real Lambda, SQS and
 * SSM clients as a suite pauses a consumer on a deployed stage: the mapping's UUID read from the SSM
 * parameter the stage publishes, then Get and Update by it.
 */
const folders = temporaryFolders();
const assemblyDir = folders.make('event-source-mappings-');
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const WORKER = 'consumers-test-worker';
const ARCHIVER = 'consumers-test-archiver';
let cloud: LocalCloud;
let lambda: LambdaClient;
let sqs: SQSClient;
const logs: LogEntry[] = [];
const batches: BatchEvent[] = [];

beforeAll(async () => {
  synthesizeQueueConsumerStack(assemblyDir);
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: (entry) => logs.push(entry) });
  for (const source of cloud.eventSources.values()) source.onBatch((batch) => batches.push(batch));
  lambda = new LambdaClient({ endpoint: cloud.endpoints.lambda, region: cloud.region, credentials });
  sqs = new SQSClient({
    endpoint: cloud.endpoints.sqs,
    region: cloud.region,
    credentials,
    useQueueUrlAsEndpoint: false,
  });
});

afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  await cloud.stop();
  folders.removeAll();
});

const queueOf = (name: string) => {
  const queue = cloud.model.queues.find((candidate) => candidate.name === name);
  if (!queue) throw new Error(`No queue ${name}`);
  return queue;
};

async function mappingUuidOf(functionName: string): Promise<string> {
  const { EventSourceMappings = [] } = await lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: functionName }),
  );
  return EventSourceMappings[0]?.UUID ?? '';
}

const stateOf = async (uuid: string) =>
  (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;

async function waitForState(uuid: string, state: string): Promise<void> {
  await eventually(
    () => stateOf(uuid),
    (current) => current === state,
  );
}

async function messagesIn(queueUrl: string): Promise<string | undefined> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Attributes?.ApproximateNumberOfMessages;
}

const send = (queueUrl: string, body: string) =>
  sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));

const delivered = (functionName: string, body: string) =>
  batches.some((batch) => batch.functionName === functionName && batch.bodies.includes(body));

describe("the local Lambda API of the templates' event source mappings", () => {
  it('reads the UUID an SSM parameter valued with the mapping’s Ref holds, and describes the mapping by it', async () => {
    const ssm = new SSMClient({ endpoint: cloud.endpoints.ssm, region: cloud.region, credentials });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: JOBS_MAPPING_PARAMETER }));
    ssm.destroy();
    const uuid = Parameter?.Value ?? '';

    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(mapping).toMatchObject({
      UUID: uuid,
      EventSourceArn: queueOf('consumers-test-jobs').arn,
      FunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${WORKER}`,
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 0,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      State: 'Enabled',
      StateTransitionReason: 'USER_INITIATED',
      EventSourceMappingArn: `arn:aws:lambda:eu-west-1:000000000000:event-source-mapping:${uuid}`,
    });
    expect(mapping.LastModified).toBeInstanceOf(Date);
  });

  it('pauses a consumer: a message sent while it is disabled stays in its queue until it is enabled again', async () => {
    const uuid = await mappingUuidOf(WORKER);
    const jobs = queueOf('consumers-test-jobs').url;

    const disabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }));
    expect(disabling.State).toBe('Disabling');
    await waitForState(uuid, 'Disabled');
    await send(jobs, 'while paused');
    // The other consumer takes a message sent after it: pollers had their chance at the paused queue.
    const archiverUuid = await mappingUuidOf(ARCHIVER);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: archiverUuid, Enabled: true }));
    await send(queueOf('consumers-test-backlog').url, 'marker');
    await eventually(async () => delivered(ARCHIVER, 'marker'), Boolean);

    expect(delivered(WORKER, 'while paused')).toBe(false);
    expect(await messagesIn(jobs)).toBe('1');
    expect(logs.map((entry) => entry.message)).toContain(`Event source ${uuid} disabled`);

    const enabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
    expect(enabling.State).toBe('Enabling');
    expect(await stateOf(uuid)).toBe('Enabled');
    await eventually(async () => delivered(WORKER, 'while paused'), Boolean);
    await eventually(
      () => messagesIn(jobs),
      (count) => count === '0',
    );
  });

  it('starts a mapping the template declares with Enabled: false disabled', async () => {
    const fresh = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined });
    try {
      const client = new LambdaClient({
        endpoint: fresh.endpoints.lambda,
        region: fresh.region,
        credentials,
      });
      const { EventSourceMappings = [] } = await client.send(
        new ListEventSourceMappingsCommand({ FunctionName: ARCHIVER }),
      );
      client.destroy();
      expect(EventSourceMappings.map((mapping) => mapping.State)).toEqual(['Disabled']);
      expect(fresh.eventSources.get(ARCHIVER)?.state).toBe('disabled');
    } finally {
      await fresh.stop();
    }
  });

  it('lists the mappings of the function it is given by name or ARN, or of the queue, page by page', async () => {
    const byName = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: WORKER }));
    const byArn = await lambda.send(
      new ListEventSourceMappingsCommand({
        FunctionName: `arn:aws:lambda:eu-west-1:000000000000:function:${ARCHIVER}`,
      }),
    );
    const byQueue = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: queueOf('consumers-test-backlog').arn }),
    );
    const firstPage = await lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 1 }));
    const secondPage = await lambda.send(
      new ListEventSourceMappingsCommand({ MaxItems: 1, Marker: firstPage.NextMarker }),
    );

    const functions = (mappings: { FunctionArn?: string }[] = []) =>
      mappings.map((mapping) => mapping.FunctionArn?.split(':').at(-1));
    expect(functions(byName.EventSourceMappings)).toEqual([WORKER]);
    expect(byName.EventSourceMappings?.[0]?.State).toBe('Enabled');
    expect(functions(byArn.EventSourceMappings)).toEqual([ARCHIVER]);
    expect(functions(byQueue.EventSourceMappings)).toEqual([ARCHIVER]);
    expect([
      ...functions(firstPage.EventSourceMappings),
      ...functions(secondPage.EventSourceMappings),
    ]).toEqual([WORKER, ARCHIVER]);
    expect(secondPage.NextMarker).toBeUndefined();
  });

  it('answers ResourceNotFoundException for a UUID no mapping has', async () => {
    const asked = lambda.send(
      new GetEventSourceMappingCommand({ UUID: '00000000-0000-0000-0000-000000000000' }),
    );

    await expect(asked).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('00000000-0000-0000-0000-000000000000'),
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses an update of anything but Enabled, and changes nothing', async () => {
    const uuid = await mappingUuidOf(WORKER);
    const before = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

    const asked = lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, BatchSize: 1, Enabled: false }),
    );

    await expect(asked).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('changes only Enabled'),
    });
    expect(await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).toMatchObject({
      BatchSize: 5,
      State: 'Enabled',
      LastModified: before.LastModified,
    });
  });

  it('refuses the Lambda operations it does not serve, naming those it does', async () => {
    await expect(lambda.send(new ListFunctionsCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining(
        'GetEventSourceMapping, ListEventSourceMappings and UpdateEventSourceMapping',
      ),
    });
  });

  it("is what the banner's AWS_ENDPOINT_URL_LAMBDA points at", () => {
    expect(awsEnvironment(cloud).AWS_ENDPOINT_URL_LAMBDA).toBe(cloud.endpoints.lambda);
  });
});
