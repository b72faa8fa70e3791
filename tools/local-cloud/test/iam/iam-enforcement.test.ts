import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import { cloudSummary } from '../../src/command-line/banner.ts';
import type { LogEntry } from '../../src/contracts.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';
import { eventually } from '../stepfunctions/fixtures.ts';
import { synthesizeIamStack } from './iam-stack.ts';

/**
 * IAM on the local cloud, against a template it has never seen: each function's calls, made with
 * the real SDK and its default credentials, are allowed or refused as its role's policies say, with
 * the service's own AccessDenied; the workflow's tasks are checked against the state machine's
 * role; `iam: false` turns it off; `--persist` keeps it across a restart.
 */
const folders = temporaryFolders();
const assemblyDir = folders.make('iam-stack-');
const ROLE_SESSION = /^arn:aws:sts::000000000000:assumed-role\/iam-test-ReaderServiceRole[\w-]*\/iam-reader$/;
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:000000000000:table/iam-test-orders';
const clouds: LocalCloud[] = [];
const logs: LogEntry[] = [];
const start = async (options: { iam?: boolean; persistDir?: string } = {}) => {
  const cloud = await startLocalCloud({ assemblyDir, port: 0, log: (entry) => logs.push(entry), ...options });
  clouds.push(cloud);
  return cloud;
};
let cloud: LocalCloud;

interface CallAnswer {
  ok: boolean;
  name?: string;
  status?: number;
  message?: string;
}
const call = async (target: LocalCloud, functionName: string, name: string): Promise<CallAnswer> => {
  const result = await target.lambda.invoke(functionName, { call: name });
  if (!result.ok) throw new Error(`${functionName} failed: ${result.error.errorMessage}`);
  return result.payload as CallAnswer;
};

beforeAll(async () => {
  synthesizeIamStack(assemblyDir);
  cloud = await start();
});

afterAll(async () => {
  for (const each of clouds) await each.stop();
  folders.removeAll();
});

describe("a function's calls", () => {
  it("refuse a Query on an index its role's grant of the table does not cover, with DynamoDB's AccessDeniedException", async () => {
    const answer = await call(cloud, 'iam-reader', 'query-index');

    expect(answer).toMatchObject({ ok: false, name: 'AccessDeniedException', status: 400 });
    const [user, rest] = String(answer.message)
      .replace(/^User: /, '')
      .split(' is not authorized to perform: ');
    expect(user).toMatch(ROLE_SESSION);
    expect(rest).toBe(
      `dynamodb:Query on resource: ${TABLE_ARN}/index/byCustomer because no identity-based policy allows the dynamodb:Query action`,
    );
  });

  it('log one WARN line naming the role, the action and the resource of a denied call', async () => {
    await call(cloud, 'iam-reader', 'query-index');

    const warning = logs.find((entry) => entry.source === 'iam' && entry.level === 'WARN');
    expect(warning?.message).toMatch(
      new RegExp(
        `^IAM denied dynamodb:Query on ${TABLE_ARN}/index/byCustomer to role iam-test-ReaderServiceRole`,
      ),
    );
    expect(warning?.fields).toMatchObject({ action: 'dynamodb:Query', caller: 'iam-reader' });
  });

  it('pass what the role grants: the table itself, and the index where the grant names it', async () => {
    expect(await call(cloud, 'iam-reader', 'query-table')).toEqual({ ok: true });
    expect(await call(cloud, 'iam-reader', 'get-item')).toEqual({ ok: true });
    expect(await call(cloud, 'iam-indexed-reader', 'query-index')).toEqual({ ok: true });
  });

  it('refuse a message to a queue the role has no grant on, as SQS does (AccessDenied, 403, the action in lower case)', async () => {
    const answer = await call(cloud, 'iam-reader', 'send-message');

    expect(answer).toMatchObject({ ok: false, name: 'AccessDenied', status: 403 });
    expect(answer.message).toMatch(
      / is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:eu-west-1:000000000000:iam-test-requests because no identity-based policy allows the sqs:sendmessage action$/,
    );
  });

  it("refuse it as well from a client that sends to the queue URL's host, the SDK's default", async () => {
    const answer = await call(cloud, 'iam-reader', 'send-message-to-queue-url-host');

    expect(answer).toMatchObject({ ok: false, name: 'AccessDenied', status: 403 });
    expect(answer.message).toMatch(
      / is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:/,
    );
  });

  it('refuse what an explicit Deny covers, even where another statement allows it', async () => {
    const answer = await call(cloud, 'iam-sender', 'send-message');

    expect(answer).toMatchObject({ ok: false, name: 'AccessDenied' });
    expect(answer.message).toMatch(/ with an explicit deny in an identity-based policy$/);
  });

  it('check PutEvents on the bus of each entry, the default bus when an entry names none', async () => {
    expect(await call(cloud, 'iam-sender', 'put-events')).toEqual({ ok: true });
    const denied = await call(cloud, 'iam-reader', 'put-events');
    expect(denied).toMatchObject({ ok: false, name: 'AccessDeniedException', status: 400 });
    expect(denied.message).toMatch(
      /events:PutEvents on resource: arn:aws:events:eu-west-1:000000000000:event-bus\/default because/,
    );
  });
});

describe("the workflow's tasks", () => {
  it("are checked against the state machine's role: a write and an invoke it lacks fail the tasks as Step Functions names them", async () => {
    const stateMachineArn = 'arn:aws:states:eu-west-1:000000000000:stateMachine:iam-test-workflow';
    const { executionArn } = await cloud.stepFunctions.startExecution(stateMachineArn, undefined, {});
    const ended = await eventually(() => {
      const execution = cloud.stepFunctions.describeExecution(executionArn);
      return execution?.status === 'RUNNING' ? undefined : execution;
    }, 20_000);

    expect(ended.status).toBe('SUCCEEDED');
    const output = JSON.parse(ended.output ?? '{}') as Record<string, { Error?: string; Cause?: string }>;
    expect(output.writeError?.Error).toBe('DynamoDB.AccessDeniedException');
    expect(output.writeError?.Cause).toMatch(
      /assumed-role\/iam-test-WorkflowRole[\w-]*\/iam-test-workflow is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:eu-west-1:000000000000:table\/iam-test-orders because no identity-based policy allows the dynamodb:PutItem action \(Service: DynamoDb, Status Code: 400, /,
    );
    expect(output.reader).toEqual({ answer: { ok: true } });
    expect(output.invokeError?.Error).toBe('Lambda.AWSLambdaException');
    expect(output.invokeError?.Cause).toMatch(
      /is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:eu-west-1:000000000000:function:iam-sender because no identity-based policy allows the lambda:InvokeFunction action \(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; /,
    );
  });
});

describe('a task callback', () => {
  it('is authorized on the state machine whose execution issued the token', async () => {
    const stateMachineArn = 'arn:aws:states:eu-west-1:000000000000:stateMachine:iam-test-callback';
    const { executionArn } = await cloud.stepFunctions.startExecution(stateMachineArn, undefined, {});
    const sqs = new SQSClient(awsClientConfig('sqs', { AWS_ENDPOINT_URL_SQS: cloud.endpoints.sqs }));
    const queueUrl = cloud.model.queues.find((queue) => queue.name === 'iam-test-requests')?.url;
    const taskToken = await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      return Messages.map((message) => JSON.parse(message.Body ?? '{}') as { taskToken?: string }).find(
        (body) => body.taskToken,
      )?.taskToken;
    }, 20_000);
    sqs.destroy();

    const denied = await cloud.lambda.invoke('iam-reader', { call: 'send-task-success', taskToken });
    expect(denied).toMatchObject({
      ok: true,
      payload: { ok: false, name: 'AccessDeniedException', status: 400 },
    });
    expect((denied as { payload: CallAnswer }).payload.message).toMatch(
      new RegExp(
        `is not authorized to perform: states:SendTaskSuccess on resource: ${stateMachineArn} because`,
      ),
    );
    expect(await cloud.lambda.invoke('iam-sender', { call: 'send-task-success', taskToken })).toEqual({
      ok: true,
      payload: { ok: true },
    });
    const ended = await eventually(() => {
      const execution = cloud.stepFunctions.describeExecution(executionArn);
      return execution?.status === 'RUNNING' ? undefined : execution;
    }, 20_000);
    expect(ended).toMatchObject({ status: 'SUCCEEDED', output: '{"answered":true}' });
  });
});

describe('callers that are no function of the app', () => {
  it("pass unchecked: the tests' own client queries the index through the same endpoint", async () => {
    const client = new DynamoDBClient(
      awsClientConfig('dynamodb', { AWS_ENDPOINT_URL_DYNAMODB: cloud.endpoints.dynamodb }),
    );
    const answer = await client.send(
      new QueryCommand({
        TableName: 'iam-test-orders',
        IndexName: 'byCustomer',
        KeyConditionExpression: 'customerId = :customer',
        ExpressionAttributeValues: { ':customer': { S: 'c-1' } },
      }),
    );
    expect(answer.Items).toEqual([]);
    client.destroy();
  });
});

describe('the local cloud', () => {
  it('says in its banner that IAM is enforced', () => {
    expect(cloudSummary(cloud)).toMatch(/IAM\s+enforced: each function's and workflow's calls are checked/);
  });

  it('with iam: false lets every call through, and says so in its banner', async () => {
    const open = await start({ iam: false });

    expect(await call(open, 'iam-reader', 'query-index')).toEqual({ ok: true });
    expect(open.iamEnforced).toBe(false);
    expect(cloudSummary(open)).toMatch(/IAM\s+not enforced \(--no-iam\)/);
    await open.stop();
  });

  it('keeps checking the same roles after a --persist restart', async () => {
    const persistDir = folders.make('iam-persist-');
    const first = await start({ persistDir });
    expect(await call(first, 'iam-indexed-reader', 'query-index')).toEqual({ ok: true });
    await first.stop();

    const second = await start({ persistDir });
    expect(await call(second, 'iam-indexed-reader', 'query-index')).toEqual({ ok: true });
    expect(await call(second, 'iam-reader', 'query-index')).toMatchObject({
      ok: false,
      name: 'AccessDeniedException',
    });
    await second.stop();
  });
});
