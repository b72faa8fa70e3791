import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  type StateMachineListItem,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { createTestTable } from '@shop/testing/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepFunctionsEvent } from '../../src/stepfunctions/stepfunctions-service.ts';
import { newTaskToken } from '../../src/stepfunctions/task-tokens.ts';
import {
  type Definition,
  eventually,
  functionArn,
  functionNames,
  inMemoryInvoker,
  type LocalFunction,
  namedError,
  startTestService,
  stateMachineArn,
  type TestService,
} from './fixtures.ts';

/** The tokens the callback function was given, by execution name. */
const tokens = new Map<string, string>();
const functions: Record<string, LocalFunction> = {
  EchoFunction: (event) => event,
  DoubleFunction: (event) => (event as number) * 2,
  BoomFunction: () => {
    throw namedError('BoomError', 'It went boom');
  },
  CallbackFunction: (event) => {
    const { name, token } = event as { name: string; token: string };
    tokens.set(name, token);
    return null;
  },
};

const callback = (extra: Record<string, unknown>): Definition => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  Parameters: {
    FunctionName: functionArn('CallbackFunction'),
    Payload: { 'name.$': '$$.Execution.Name', 'token.$': '$$.Task.Token' },
  },
  ...extra,
});

let table: string;
const machines: Record<string, (tableName: string) => Definition> = {
  Context: () => ({
    StartAt: 'Describe',
    States: {
      Describe: {
        Type: 'Pass',
        Parameters: {
          'id.$': '$$.Execution.Id',
          'name.$': '$$.Execution.Name',
          'input.$': '$$.Execution.Input',
          'machine.$': '$$.StateMachine.Name',
          'state.$': '$$.State.Name',
          'enteredTime.$': '$$.State.EnteredTime',
        },
        End: true,
      },
    },
  }),
  BranchContext: () => ({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Parallel',
        Parameters: { 'replaced.$': '$.hello' },
        Branches: [
          {
            StartAt: 'Inner',
            States: {
              Inner: {
                Type: 'Pass',
                Parameters: {
                  'input.$': '$$.Execution.Input',
                  'name.$': '$$.Execution.Name',
                  'state.$': '$$.State.Name',
                },
                End: true,
              },
            },
          },
        ],
        End: true,
      },
    },
  }),
  Branches: () => ({
    StartAt: 'Fan',
    States: {
      Fan: {
        Type: 'Parallel',
        Branches: [
          {
            StartAt: 'Echo',
            States: {
              Echo: {
                Type: 'Task',
                Resource: 'arn:aws:states:::lambda:invoke',
                Parameters: { FunctionName: functionArn('EchoFunction'), 'Payload.$': '$.greeting' },
                End: true,
              },
            },
          },
          {
            StartAt: 'EachNumber',
            States: {
              EachNumber: {
                Type: 'Map',
                ItemsPath: '$.numbers',
                ItemProcessor: {
                  ProcessorConfig: { Mode: 'INLINE' },
                  StartAt: 'Double',
                  States: { Double: { Type: 'Task', Resource: functionArn('DoubleFunction'), End: true } },
                },
                End: true,
              },
            },
          },
        ],
        End: true,
      },
    },
  }),
  Items: (tableName) => ({
    StartAt: 'Read',
    States: {
      Read: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:getItem',
        Parameters: { TableName: tableName, Key: { orderId: { 'S.$': '$.orderId' } } },
        ResultPath: '$.read',
        Next: 'Delete',
      },
      Delete: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:deleteItem',
        Parameters: {
          TableName: tableName,
          Key: { orderId: { 'S.$': '$.orderId' } },
          ReturnValues: 'ALL_OLD',
        },
        ResultPath: '$.deleted',
        End: true,
      },
    },
  }),
  Failures: () => ({
    StartAt: 'SendToNowhere',
    States: {
      SendToNowhere: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: {
          QueueUrl: 'http://sqs.us-east-1.localhost/000000000000/no-such-queue',
          MessageBody: 'hi',
        },
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.sqsError', Next: 'PublishRejected' }],
        Next: 'PublishRejected',
      },
      PublishRejected: {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: { Entries: [{ Source: 'test', DetailType: 'Rejected', Detail: { a: 1 } }] },
        Catch: [{ ErrorEquals: ['EventBridge.FailedEntry'], ResultPath: '$.eventsError', Next: 'Boom' }],
        Next: 'Boom',
      },
      Boom: { Type: 'Task', Resource: functionArn('BoomFunction'), End: true },
    },
  }),
  Heartbeat: () => ({
    StartAt: 'Wait',
    States: {
      Wait: callback({
        HeartbeatSeconds: 20,
        Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Expired' }],
        End: true,
      }),
      Expired: { Type: 'Succeed' },
    },
  }),
  Callback: () => ({ StartAt: 'Wait', States: { Wait: callback({ End: true }) } }),
  Deadline: () => ({ TimeoutSeconds: 1, StartAt: 'Wait', States: { Wait: callback({ End: true }) } }),
};

let test: TestService;
const dynamodb = new DynamoDBClient(awsClientConfig('dynamodb'));
const seen: StepFunctionsEvent[] = [];

beforeAll(async () => {
  table = await createTestTable({ envVar: 'API_TEST_TABLE', partitionKey: 'orderId' });
  test = await startTestService({
    stateMachines: Object.entries(machines).map(([name, definition]) => ({
      arn: stateMachineArn(name),
      name,
      definition: definition(table),
    })),
    invoker: inMemoryInvoker(functions),
    functionNameFromArn: functionNames(functions),
    async putEvents(entries) {
      const Entries = entries.map((entry) =>
        entry.DetailType === 'Rejected'
          ? { ErrorCode: 'Refused', ErrorMessage: 'refused by the test' }
          : { EventId: '1' },
      );
      return { FailedEntryCount: Entries.filter((entry) => 'ErrorCode' in entry).length, Entries };
    },
    taskTimeoutScale: 0.01,
  });
  test.service.onEvent((event) => seen.push(event));
});

afterAll(async () => {
  await test.stop();
  dynamodb.destroy();
});

async function run(machine: string, input: unknown = {}, name: string = randomUUID()) {
  const { executionArn } = await test.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn(machine),
      name,
      input: JSON.stringify(input),
    }),
  );
  return executionArn as string;
}

const ended = (executionArn: string) =>
  eventually(async () => {
    const execution = await test.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });

const outputOf = async (executionArn: string) => JSON.parse((await ended(executionArn)).output as string);

describe('the local Step Functions API', () => {
  it('gives executions the Context Object of AWS', async () => {
    const name = `ctx-${randomUUID()}`;
    const executionArn = await run('Context', { hello: 'world' }, name);

    expect(await outputOf(executionArn)).toEqual({
      id: executionArn,
      name,
      input: { hello: 'world' },
      machine: 'Context',
      state: 'Describe',
      enteredTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
    });
    expect(executionArn).toBe(`arn:aws:states:us-east-1:000000000000:execution:Context:${name}`);
  });

  it('keeps the execution’s Context Object inside Parallel branches', async () => {
    const name = `branch-${randomUUID()}`;

    const [branch] = await outputOf(await run('BranchContext', { hello: 'world' }, name));

    expect(branch).toEqual({ input: { hello: 'world' }, name, state: 'Inner' });
  });

  it('runs Task states inside Parallel branches and Map iterations, with the Lambda Invoke result shape', async () => {
    const [invoked, doubled] = await outputOf(
      await run('Branches', { greeting: { hi: 1 }, numbers: [1, 2, 3] }),
    );

    expect(invoked).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST', Payload: { hi: 1 } });
    expect(invoked.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(doubled).toEqual([2, 4, 6]);
  });

  it('reads and deletes DynamoDB items in the API’s typed attribute values', async () => {
    const orderId = randomUUID();
    await dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { orderId: { S: orderId }, total: { N: '42' } } }),
    );

    const { read, deleted } = await outputOf(await run('Items', { orderId }));

    expect(read.Item).toEqual({ orderId: { S: orderId }, total: { N: '42' } });
    expect(deleted.Attributes).toEqual({ orderId: { S: orderId }, total: { N: '42' } });
    expect(read.SdkResponseMetadata.RequestId).toEqual(expect.any(String));
  });

  it('names SQS, EventBridge and function errors as Step Functions does', async () => {
    const executionArn = await run('Failures', { a: 1 });

    const execution = await ended(executionArn);
    const { events = [] } = await test.sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const failures = events.flatMap((event) =>
      event.taskFailedEventDetails ? [event.taskFailedEventDetails.error] : [],
    );

    expect(failures).toEqual([expect.stringMatching(/^SQS\.\w+/), 'EventBridge.FailedEntry']);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BoomError' });
    expect(JSON.parse(execution.cause as string)).toMatchObject({
      errorType: 'BoomError',
      errorMessage: 'It went boom',
    });
    expect(events.at(-2)?.type).toBe('LambdaFunctionFailed');
  });

  it('fails a callback task whose heartbeats stop with States.HeartbeatTimeout, caught as States.Timeout', async () => {
    const name = randomUUID();
    const executionArn = await run('Heartbeat', {}, name);
    const taskToken = await eventually(() => tokens.get(name));
    await test.sfn.send(new SendTaskHeartbeatCommand({ taskToken }));

    const output = await outputOf(executionArn);

    expect(output.error).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    await expect(test.sfn.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  });

  it('times an execution out after the state machine’s TimeoutSeconds', async () => {
    const execution = await ended(await run('Deadline'));

    expect(execution.status).toBe('TIMED_OUT');
  });

  it('stops an execution with StopExecution; its task token then answers TaskTimedOut', async () => {
    const name = randomUUID();
    const executionArn = await run('Callback', {}, name);
    const taskToken = await eventually(() => tokens.get(name));

    await test.sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by the test' }));

    expect(await ended(executionArn)).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: 'by the test',
    });
    await expect(test.sfn.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toBeInstanceOf(
      TaskTimedOut,
    );
  });

  it('lists a state machine’s executions newest first, filtered by status', async () => {
    const first = await run('Context');
    const second = await run('Context');
    await ended(first);
    await ended(second);

    const { executions = [] } = await test.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stateMachineArn('Context'), statusFilter: 'SUCCEEDED' }),
    );
    const arns = executions.map((execution) => execution.executionArn);

    expect(arns.indexOf(second)).toBeLessThan(arns.indexOf(first));
    expect(arns.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(executions[0]?.startDate).toBeInstanceOf(Date);
    expect(
      test.service.listExecutions(stateMachineArn('Context')).map((execution) => execution.executionArn),
    ).toEqual(arns);
  });

  it('returns the execution history with AWS’s event types', async () => {
    const executionArn = await run('Context', { n: 1 });
    await ended(executionArn);

    const { events = [] } = await test.sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(JSON.parse(events[0]?.executionStartedEventDetails?.input ?? '')).toEqual({ n: 1 });
    expect(events[1]?.stateEnteredEventDetails?.name).toBe('Describe');
  });

  it('answers unknown executions, state machines, names and inputs with AWS’s errors', async () => {
    const unknownExecution = `arn:aws:states:us-east-1:000000000000:execution:Context:${randomUUID()}`;

    await expect(
      test.sfn.send(new DescribeExecutionCommand({ executionArn: unknownExecution })),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(run('NoSuchMachine')).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(run('Context', {}, 'has spaces')).rejects.toBeInstanceOf(InvalidName);
    await expect(
      test.sfn.send(
        new StartExecutionCommand({ stateMachineArn: stateMachineArn('Context'), input: '{not json' }),
      ),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
  });

  it('answers InvalidToken for a task token it could not have issued, whatever its length', async () => {
    const issued = newTaskToken();
    const malformed = [
      'not-a-token',
      randomBytes(96).toString('base64url'),
      `${issued.slice(0, -1)}${issued.endsWith('A') ? 'B' : 'A'}`,
    ];

    for (const taskToken of malformed) {
      await expect(
        test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
      ).rejects.toBeInstanceOf(InvalidToken);
      await expect(test.sfn.send(new SendTaskFailureCommand({ taskToken }))).rejects.toBeInstanceOf(
        InvalidToken,
      );
      await expect(test.sfn.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toBeInstanceOf(
        InvalidToken,
      );
    }
  });

  it('answers TaskDoesNotExist for a well-formed task token no task waits on', async () => {
    const taskToken = newTaskToken();

    await expect(
      test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(test.sfn.send(new SendTaskHeartbeatCommand({ taskToken }))).rejects.toBeInstanceOf(
      TaskDoesNotExist,
    );
  });

  it('answers a task the engine issued and that is waiting, then TaskTimedOut once it ended', async () => {
    const name = randomUUID();
    const executionArn = await run('Callback', {}, name);
    const taskToken = await eventually(() => tokens.get(name));

    await test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"paid":true}' }));

    expect(await outputOf(executionArn)).toEqual({ paid: true });
    await expect(
      test.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('answers an action it does not serve with UnknownOperationException naming it', async () => {
    const response = await fetch(test.service.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.CreateActivity',
      },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: expect.stringContaining('does not serve CreateActivity'),
    });
  });

  it('reports executions and their states to onEvent listeners', async () => {
    const executionArn = await run('Context');
    await ended(executionArn);

    const events = await eventually(() => {
      const mine = seen.filter((event) => event.executionArn === executionArn);
      return mine.length >= 4 ? mine : undefined;
    });

    expect(
      events.map((event) => (event.kind === 'state' ? `${event.type} ${event.stateName}` : event.status)),
    ).toEqual(['RUNNING', 'StateEntered Describe', 'StateExited Describe', 'SUCCEEDED']);
  });

  it('starts and describes executions from code too', async () => {
    const { executionArn } = await test.service.startExecution(stateMachineArn('Context'), undefined, {
      x: 1,
    });

    const execution = await eventually(() => {
      const description = test.service.describeExecution(executionArn);
      return description?.status === 'SUCCEEDED' ? description : undefined;
    });

    expect(execution.input).toBe('{"x":1}');
    expect(JSON.parse(execution.output ?? '')).toMatchObject({ input: { x: 1 } });
    expect(test.service.describeExecution(`${executionArn}-unknown`)).toBeUndefined();
  });
});

describe('finding the state machines over the Step Functions API', () => {
  it('lists every state machine page by page, following nextToken', async () => {
    const listed: StateMachineListItem[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await test.sfn.send(new ListStateMachinesCommand({ maxResults: 3, nextToken }));
      listed.push(...(page.stateMachines ?? []));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);

    expect(pages).toBe(Math.ceil(Object.keys(machines).length / 3));
    expect(listed.map((machine) => machine.name)).toEqual(Object.keys(machines));
    expect(listed[0]).toEqual({
      stateMachineArn: stateMachineArn('Context'),
      name: 'Context',
      type: 'STANDARD',
      creationDate: expect.any(Date),
    });
  });

  it('lists up to 100 state machines in one page when maxResults is not given', async () => {
    const { stateMachines = [], nextToken } = await test.sfn.send(new ListStateMachinesCommand({}));

    expect(stateMachines).toHaveLength(Object.keys(machines).length);
    expect(nextToken).toBeUndefined();
  });

  it('answers a nextToken it did not give with InvalidToken', async () => {
    await expect(
      test.sfn.send(new ListStateMachinesCommand({ nextToken: 'not-a-page-token' })),
    ).rejects.toBeInstanceOf(InvalidToken);
  });

  it('describes a state machine with its definition as JSON text, ACTIVE and STANDARD', async () => {
    const described = await test.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn('Items') }),
    );

    expect(described).toMatchObject({
      stateMachineArn: stateMachineArn('Items'),
      name: 'Items',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\/.+/),
      creationDate: expect.any(Date),
    });
    expect(JSON.parse(described.definition ?? '')).toEqual(machines.Items?.(table));
  });

  it('answers an unknown state machine ARN with StateMachineDoesNotExist', async () => {
    await expect(
      test.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn('NoSuchMachine') })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('answers an ARN that is no state machine ARN with InvalidArn', async () => {
    const malformed = [
      'not-an-arn',
      'arn:aws:states:us-east-1:000000000000:execution:Context:some-execution',
      'arn:aws:states:us-east-1:000000000000:stateMachine:',
      'arn:aws:states:us-east-1:0000:stateMachine:Context',
    ];

    for (const arn of malformed) {
      await expect(
        test.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })),
      ).rejects.toBeInstanceOf(InvalidArn);
    }
  });
});

describe('stopping the local Step Functions', () => {
  it('aborts the running executions and closes its endpoint', async () => {
    const own = await startTestService({
      stateMachines: [
        { arn: stateMachineArn('Callback'), name: 'Callback', definition: machines.Callback?.('') },
      ],
      invoker: inMemoryInvoker(functions),
      functionNameFromArn: functionNames(functions),
      putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }),
    });
    const name = randomUUID();
    const { executionArn } = await own.service.startExecution(stateMachineArn('Callback'), name, {});
    await eventually(() => tokens.get(name));

    await own.stop();

    expect(own.service.describeExecution(executionArn)?.status).toBe('ABORTED');
    await expect(fetch(own.service.endpoint, { method: 'POST' })).rejects.toThrow();
  });
});
