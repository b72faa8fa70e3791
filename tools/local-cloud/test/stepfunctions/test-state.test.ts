import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  InvalidDefinition,
  SFNClient,
  TestStateCommand,
  type TestStateCommandInput,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { createTestTable } from '@shop/testing/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturedEvents,
  type Definition,
  functionArn,
  functionNames,
  inMemoryInvoker,
  type LocalFunction,
  namedError,
  paymentWorkflow,
  REGION,
  type RecordingInvoker,
  startTestService,
  type TestService,
} from './fixtures.ts';

const ROLE_ARN = 'arn:aws:iam::000000000000:role/test-state-role';
const functions: Record<string, LocalFunction> = {
  AuthorizeFunction: (event) => ({ authorizationId: 'auth-1', seen: event }),
  DeclineFunction: () => {
    throw namedError('CardDeclinedError', 'Card declined');
  },
  SilentFunction: () => new Promise(() => undefined),
};

let invoker: RecordingInvoker;
let test: TestService;
/** A client as a user configures one for a local endpoint: TestState's `sync-` host prefix off. */
let sfn: SFNClient;
let tableName: string;

beforeAll(async () => {
  invoker = inMemoryInvoker(functions);
  test = await startTestService({
    stateMachines: [],
    invoker,
    functionNameFromArn: functionNames(functions),
    putEvents: capturedEvents().putEvents,
  });
  sfn = new SFNClient({
    endpoint: test.service.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    disableHostPrefix: true,
  });
  tableName = await createTestTable({ envVar: 'TEST_STATE_TABLE', partitionKey: 'orderId' });
});

afterAll(async () => {
  sfn?.destroy();
  await test?.stop();
});

const testState = (input: Omit<TestStateCommandInput, 'definition'> & { definition: Definition }) =>
  sfn.send(new TestStateCommand({ ...input, definition: JSON.stringify(input.definition) }));
const json = (text: string | undefined): unknown => JSON.parse(text ?? 'null');

const authorize = (extra: Definition = {}): Definition => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: {
    FunctionName: functionArn('AuthorizeFunction'),
    Payload: { 'orderId.$': '$.orderId', 'attempt.$': '$$.State.RetryCount' },
  },
  ResultSelector: { 'authorizationId.$': '$.Payload.authorizationId' },
  ResultPath: '$.authorization',
  Retry: [
    { ErrorEquals: ['ProviderUnavailableError'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 4 },
    { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 4, MaxAttempts: 2, MaxDelaySeconds: 5 },
  ],
  Catch: [
    { ErrorEquals: ['CardDeclinedError'], ResultPath: '$.error', Next: 'Declined' },
    { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Unavailable' },
  ],
  Next: 'Capture',
  ...extra,
});

/** The Authorize state at DEBUG, its function mocked to fail, after `retries` retries. */
const authorizeFailing = (orderId: string, errorOutput: { error: string; cause: string }, retries: number) =>
  testState({
    definition: authorize(),
    input: JSON.stringify({ orderId }),
    inspectionLevel: 'DEBUG',
    mock: { errorOutput },
    stateConfiguration: { retrierRetryCount: retries },
  });

describe('TestState on a Task state', () => {
  it('runs the real integration without a mock and shows each step of the data flow at DEBUG', async () => {
    const calls = invoker.calls.length;
    const answer = await testState({
      definition: authorize(),
      roleArn: ROLE_ARN,
      input: JSON.stringify({ orderId: 'ord-1' }),
      inspectionLevel: 'DEBUG',
    });

    expect(answer.status).toBe('SUCCEEDED');
    expect(answer.nextState).toBe('Capture');
    expect(json(answer.output)).toEqual({ orderId: 'ord-1', authorization: { authorizationId: 'auth-1' } });
    expect(invoker.calls.slice(calls)).toEqual([
      { functionName: 'AuthorizeFunction', event: { orderId: 'ord-1', attempt: 0 } },
    ]);
    const data = answer.inspectionData ?? {};
    expect(json(data.input)).toEqual({ orderId: 'ord-1' });
    expect(json(data.afterInputPath)).toEqual({ orderId: 'ord-1' });
    expect(json(data.afterParameters)).toEqual({
      FunctionName: functionArn('AuthorizeFunction'),
      Payload: { orderId: 'ord-1', attempt: 0 },
    });
    expect(json(data.result)).toMatchObject({ StatusCode: 200, Payload: { authorizationId: 'auth-1' } });
    expect(json(data.afterResultSelector)).toEqual({ authorizationId: 'auth-1' });
    expect(json(data.afterResultPath)).toEqual(json(answer.output));
  });

  it('answers only the status, output and next state at INFO', async () => {
    const answer = await testState({
      definition: authorize(),
      roleArn: ROLE_ARN,
      input: JSON.stringify({ orderId: 'ord-2' }),
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'Capture' });
    expect(answer.inspectionData).toBeUndefined();
  });

  it('calls nothing with a mocked result, which goes through ResultSelector and ResultPath', async () => {
    const calls = invoker.calls.length;
    const answer = await testState({
      definition: authorize(),
      input: JSON.stringify({ orderId: 'ord-3' }),
      mock: { result: JSON.stringify({ Payload: { authorizationId: 'mocked' }, StatusCode: 200 }) },
    });

    expect(answer.status).toBe('SUCCEEDED');
    expect(json(answer.output)).toEqual({ orderId: 'ord-3', authorization: { authorizationId: 'mocked' } });
    expect(invoker.calls.length).toBe(calls);
  });

  it('is RETRIABLE with the retrier and its backoff when a retrier matches the error', async () => {
    const answer = await authorizeFailing(
      'ord-4',
      { error: 'ProviderUnavailableError', cause: 'The bank is down' },
      2,
    );

    expect(answer).toMatchObject({
      status: 'RETRIABLE',
      error: 'ProviderUnavailableError',
      cause: 'The bank is down',
    });
    expect(answer.output).toBeUndefined();
    expect(answer.nextState).toBeUndefined();
    expect(answer.inspectionData?.errorDetails).toEqual({ retryIndex: 0, retryBackoffIntervalSeconds: 18 });
    // The Parameters read the retries already made.
    expect(json(answer.inspectionData?.afterParameters)).toMatchObject({ Payload: { attempt: 2 } });
  });

  it('caps the backoff at the retrier MaxDelaySeconds', async () => {
    const answer = await authorizeFailing('ord-5', { error: 'SomethingElse', cause: 'odd' }, 1);

    expect(answer.status).toBe('RETRIABLE');
    expect(answer.inspectionData?.errorDetails).toEqual({ retryIndex: 1, retryBackoffIntervalSeconds: 5 });
  });

  it('is CAUGHT_ERROR, going to the catcher next state, once the retrier has no attempt left', async () => {
    const answer = await authorizeFailing(
      'ord-6',
      { error: 'ProviderUnavailableError', cause: 'Still down' },
      4,
    );

    expect(answer).toMatchObject({
      status: 'CAUGHT_ERROR',
      error: 'ProviderUnavailableError',
      nextState: 'Unavailable',
    });
    expect(json(answer.output)).toEqual({
      orderId: 'ord-6',
      error: { Error: 'ProviderUnavailableError', Cause: 'Still down' },
    });
    expect(answer.inspectionData?.errorDetails).toEqual({ retryIndex: 0, catchIndex: 1 });
  });

  it('is CAUGHT_ERROR at once for an error no retrier takes, from the real function too', async () => {
    const answer = await testState({
      definition: authorize({
        Parameters: { FunctionName: functionArn('DeclineFunction'), 'Payload.$': '$' },
        Retry: [{ ErrorEquals: ['ProviderUnavailableError'] }],
      }),
      roleArn: ROLE_ARN,
      input: JSON.stringify({ orderId: 'ord-7' }),
    });

    expect(answer).toMatchObject({
      status: 'CAUGHT_ERROR',
      error: 'CardDeclinedError',
      nextState: 'Declined',
    });
    expect(json(answer.output)).toMatchObject({ error: { Error: 'CardDeclinedError' } });
  });

  it('is FAILED when neither a retrier nor a catcher takes the error', async () => {
    const answer = await testState({
      definition: authorize({ Retry: undefined, Catch: undefined }),
      input: JSON.stringify({ orderId: 'ord-8' }),
      mock: { errorOutput: { error: 'CardDeclinedError', cause: 'No' } },
    });

    expect(answer).toMatchObject({ status: 'FAILED', error: 'CardDeclinedError', cause: 'No' });
    expect(answer.output).toBeUndefined();
    expect(answer.nextState).toBeUndefined();
  });

  it('fails with States.Timeout when the real task runs past its TimeoutSeconds', async () => {
    const answer = await testState({
      definition: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: functionArn('SilentFunction'), 'Payload.$': '$' },
        TimeoutSeconds: 1,
        End: true,
      },
      roleArn: ROLE_ARN,
      input: '{}',
    });

    expect(answer).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });

  it('writes to the local DynamoDB table when a DynamoDB integration is not mocked', async () => {
    const answer = await testState({
      definition: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: {
          TableName: tableName,
          Item: { orderId: { 'S.$': '$.orderId' }, execution: { 'S.$': '$$.Execution.Id' } },
        },
        ResultPath: null,
        End: true,
      },
      roleArn: ROLE_ARN,
      input: JSON.stringify({ orderId: 'ord-9' }),
      inspectionLevel: 'DEBUG',
    });

    expect(answer.status).toBe('SUCCEEDED');
    expect(answer.nextState).toBeUndefined();
    const execution = (json(answer.inspectionData?.afterParameters) as { Item: { execution: { S: string } } })
      .Item.execution.S;
    expect(execution).toMatch(/^arn:aws:states:us-east-1:000000000000:express:/);
    const dynamodb = new DynamoDBClient(awsClientConfig('dynamodb'));
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: { orderId: { S: 'ord-9' } } }),
    );
    dynamodb.destroy();
    expect(Item?.execution?.S).toBe(execution);
  });

  it('answers a .waitForTaskToken task with its mocked callback, and reads the given context', async () => {
    const answer = await testState({
      definition: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: {
          QueueUrl: 'http://127.0.0.1:9/000000000000/nowhere',
          MessageBody: { 'token.$': '$$.Task.Token', 'execution.$': '$$.Execution.Name' },
        },
        End: true,
      },
      input: '{}',
      inspectionLevel: 'DEBUG',
      mock: { result: JSON.stringify({ confirmed: true }) },
      context: JSON.stringify({ Execution: { Name: 'given-execution' }, Task: { Token: 'given-token' } }),
    });

    expect(answer.status).toBe('SUCCEEDED');
    expect(json(answer.output)).toEqual({ confirmed: true });
    expect(json(answer.inspectionData?.afterParameters)).toMatchObject({
      MessageBody: { token: 'given-token', execution: 'given-execution' },
    });
  });
});

describe('TestState on the other state types', () => {
  it('shows a Pass state data flow, intrinsic functions included', async () => {
    const answer = await testState({
      definition: {
        Type: 'Pass',
        InputPath: '$.order',
        Parameters: { 'id.$': '$.id', 'label.$': "States.Format('order {}', $.id)" },
        ResultPath: '$.summary',
        OutputPath: '$.summary',
        Next: 'Then',
      },
      input: JSON.stringify({ order: { id: 'ord-10' } }),
      inspectionLevel: 'DEBUG',
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'Then' });
    expect(json(answer.output)).toEqual({ id: 'ord-10', label: 'order ord-10' });
    const data = answer.inspectionData ?? {};
    expect(json(data.afterInputPath)).toEqual({ id: 'ord-10' });
    expect(json(data.afterParameters)).toEqual({ id: 'ord-10', label: 'order ord-10' });
    expect(json(data.afterResultPath)).toEqual({
      order: { id: 'ord-10' },
      summary: { id: 'ord-10', label: 'order ord-10' },
    });
  });

  it('names the branch a Choice state takes, and fails with States.NoChoiceMatched when none does', async () => {
    const choice = {
      Type: 'Choice',
      Choices: [{ Variable: '$.method', StringEquals: 'card', Next: 'Card' }],
    };
    const taken = await testState({ definition: choice, input: JSON.stringify({ method: 'card' }) });
    const none = await testState({ definition: choice, input: JSON.stringify({ method: 'cash' }) });

    expect(taken).toMatchObject({ status: 'SUCCEEDED', nextState: 'Card' });
    expect(json(taken.output)).toEqual({ method: 'card' });
    expect(none).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });

  it('tests the state stateName names in a whole state machine', async () => {
    const answer = await testState({
      definition: paymentWorkflow({ tableName, queueUrl: 'http://127.0.0.1:9/000000000000/invoices' }),
      stateName: 'PaymentMethod',
      input: JSON.stringify({ orderId: 'ord-11', payment: { method: 'bank_transfer' } }),
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'AwaitBankTransfer' });
  });

  it('answers a Wait state at once, and a Fail state with its error and cause', async () => {
    const wait = await testState({ definition: { Type: 'Wait', Seconds: 3600, Next: 'Later' }, input: '{}' });
    const fail = await testState({
      definition: { Type: 'Fail', Error: 'Nope', Cause: 'Because' },
      input: '{}',
    });
    const succeed = await testState({ definition: { Type: 'Succeed' }, input: '{"done":true}' });

    expect(wait).toMatchObject({ status: 'SUCCEEDED', nextState: 'Later' });
    expect(fail).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'Because' });
    expect(succeed).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    expect(succeed.nextState).toBeUndefined();
  });
});

describe('TestState refusing a request as AWS does', () => {
  const refusal = async (input: TestStateCommandInput) => {
    const error = await sfn.send(new TestStateCommand(input)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    return error as Error & { $metadata: { httpStatusCode?: number } };
  };
  const pass = JSON.stringify({ Type: 'Pass', End: true });
  const task = JSON.stringify(authorize());

  it('refuses a definition that is not JSON, or that the local Step Functions does not run', async () => {
    const notJson = await refusal({ definition: '{"Type": ' });
    const jsonata = await refusal({
      definition: JSON.stringify({ Type: 'Pass', QueryLanguage: 'JSONata', End: true }),
    });
    const parallel = await refusal({
      definition: JSON.stringify({ Type: 'Parallel', Branches: [], End: true }),
    });

    expect(notJson).toBeInstanceOf(InvalidDefinition);
    expect(notJson.$metadata.httpStatusCode).toBe(400);
    expect(jsonata).toBeInstanceOf(InvalidDefinition);
    expect(jsonata.message).toMatch(/JSONata/);
    expect(parallel).toBeInstanceOf(InvalidDefinition);
  });

  it('refuses variables, an unknown stateName and a bad inspection level', async () => {
    const variables = await refusal({ definition: pass, variables: '{"x":1}' });
    const unknown = await refusal({
      definition: JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }),
      stateName: 'B',
    });
    const level = await refusal({ definition: pass, inspectionLevel: 'LOUD' as never });

    expect(variables).toBeInstanceOf(ValidationException);
    expect(variables.message).toMatch(/variables/);
    expect(unknown).toBeInstanceOf(ValidationException);
    expect(unknown.message).toMatch(/'B'/);
    expect(level).toBeInstanceOf(ValidationException);
  });

  it('refuses a mock with both a result and an error, a result that is not JSON, and a mocked Pass', async () => {
    const both = await refusal({
      definition: task,
      mock: { result: '{}', errorOutput: { error: 'E', cause: 'C' } },
    });
    const notJson = await refusal({ definition: task, mock: { result: 'not JSON' } });
    const mockedPass = await refusal({ definition: pass, mock: { result: '{}' } });

    expect(both).toBeInstanceOf(ValidationException);
    expect(both.message).toBe(
      'A test mock should have only one of the following fields: [result, errorOutput].',
    );
    expect(notJson).toBeInstanceOf(ValidationException);
    expect(notJson.message).toBe('Mocked result must be valid JSON');
    expect(mockedPass.message).toBe("State type 'Pass' is not supported when a mock is specified");
  });

  it('refuses a real task without a role, a context without a mock, and a real callback task', async () => {
    const noRole = await refusal({ definition: task, input: '{}' });
    const context = await refusal({ definition: pass, context: '{}' });
    const callback = await refusal({
      definition: JSON.stringify({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: functionArn('AuthorizeFunction'),
          Payload: { 'token.$': '$$.Task.Token' },
        },
        End: true,
      }),
      roleArn: ROLE_ARN,
    });

    expect(noRole).toBeInstanceOf(ValidationException);
    expect(noRole.message).toBe('RoleArn must be specified when testing a Task state');
    expect(context).toBeInstanceOf(ValidationException);
    expect(callback).toBeInstanceOf(ValidationException);
  });
});
