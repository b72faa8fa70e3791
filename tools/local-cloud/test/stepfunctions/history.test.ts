import { randomUUID } from 'node:crypto';
import {
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskSuccessCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createTestQueue, createTestTable, drainQueue } from '@shop/testing/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  capturedEvents,
  type Definition,
  eventually,
  executionsOf,
  functionArn,
  functionNames,
  inMemoryInvoker,
  type LocalFunction,
  namedError,
  paymentWorkflow,
  REGION,
  startTestService,
  stateMachineArn,
  type TestService,
} from './fixtures.ts';

/** The bank-transfer tokens the AwaitBankTransfer function was given, by order. */
const transferTokens = new Map<string, string>();
const functions: Record<string, LocalFunction> = {
  AuthorizeFunction(event) {
    const { token, retryCount } = event as { token: string; retryCount: number };
    if (token === 'tok_flaky' && retryCount < 2) {
      throw namedError('ProviderUnavailableError', `The provider is unavailable (retry ${retryCount})`);
    }
    return { authorizationId: 'auth-1' };
  },
  AwaitBankTransferFunction(event) {
    const { orderId, taskToken } = event as { orderId: string; taskToken: string };
    transferTokens.set(orderId, taskToken);
    return { accepted: true };
  },
  CaptureFunction(event) {
    return { captureId: `cap-${(event as { orderId: string }).orderId}` };
  },
  BoomFunction() {
    throw namedError('BoomError', 'It went boom');
  },
};

const WORKFLOW_ARN = stateMachineArn('HistoryPayment');
const machines: Record<string, Definition> = {
  Choices: {
    StartAt: 'Route',
    States: {
      Route: {
        Type: 'Choice',
        Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Pause' }],
        Default: 'Refuse',
      },
      Pause: { Type: 'Wait', Seconds: 0, Next: 'Shape' },
      Shape: { Type: 'Pass', Result: { shaped: true }, Next: 'Done' },
      Done: { Type: 'Succeed' },
      Refuse: { Type: 'Fail', Error: 'Refused', Cause: 'go was not true' },
    },
  },
  FunctionFails: {
    StartAt: 'Boom',
    States: { Boom: { Type: 'Task', Resource: functionArn('BoomFunction'), End: true } },
  },
};

let test: TestService;
let queueUrl: string;
const executions = () => executionsOf(test.sfn);

beforeAll(async () => {
  const tableName = await createTestTable({ envVar: 'PAYMENTS_TABLE', partitionKey: 'orderId' });
  queueUrl = (await createTestQueue('INVOICE_REQUESTS_QUEUE_URL')).url;
  test = await startTestService({
    stateMachines: [
      { arn: WORKFLOW_ARN, name: 'HistoryPayment', definition: paymentWorkflow({ tableName, queueUrl }) },
      ...Object.entries(machines).map(([name, definition]) => ({
        arn: stateMachineArn(name),
        name,
        definition,
      })),
    ],
    invoker: inMemoryInvoker(functions),
    functionNameFromArn: functionNames(functions),
    putEvents: capturedEvents().putEvents,
    retryIntervalScale: 0.01,
    taskTimeoutScale: 0.05,
  });
});

afterAll(async () => {
  await drainQueue(queueUrl);
  await test.stop();
});

const order = (payment: { method: string; token?: string }) => ({
  orderId: `ord-${randomUUID()}`,
  amount: 4200,
  currency: 'EUR',
  payment,
});

const start = (stateMachineArn: string, input: unknown) => executions().start(stateMachineArn, input);
const ended = (executionArn: string) => executions().ended(executionArn);
const historyOf = (executionArn: string) => executions().history(executionArn);

/** Each event as `type` or `type name` (a state's entry or exit), the way a history reads. */
const outline = (events: HistoryEvent[]) =>
  events.map((event) => {
    const name = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
    return name ? `${event.type} ${name}` : event.type;
  });

const task = (name: string, type = 'Task') => [
  `TaskStateEntered ${name}`,
  `${type}Scheduled`,
  `${type}Started`,
  `${type}Succeeded`,
  `TaskStateExited ${name}`,
];

describe('an execution history, as GetExecutionHistory returns it', () => {
  it('records each task’s scheduling, start and result between its state’s entry and exit, in order', async () => {
    const executionArn = await start(WORKFLOW_ARN, order({ method: 'card', token: 'tok_visa' }));
    await ended(executionArn);

    const events = await historyOf(executionArn);

    expect(outline(events)).toEqual([
      'ExecutionStarted',
      ...task('RecordAttempt'),
      'ChoiceStateEntered PaymentMethod',
      'ChoiceStateExited PaymentMethod',
      ...task('Authorize'),
      ...task('Capture', 'LambdaFunction'),
      ...task('RecordCapture'),
      ...task('PublishPaymentCaptured'),
      ...task('RequestInvoice'),
      'SucceedStateEntered PaymentCompleted',
      'SucceedStateExited PaymentCompleted',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => [event.id, event.previousEventId])).toEqual(
      events.map((_event, index) => [index + 1, index]),
    );
    const times = events.map((event) => event.timestamp?.getTime() ?? 0);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives a service integration’s events AWS’s details: resource type, resource, region, parameters and result', async () => {
    const input = order({ method: 'card', token: 'tok_visa' });
    const executionArn = await start(WORKFLOW_ARN, input);
    await ended(executionArn);

    const events = await historyOf(executionArn);
    const authorize = events.slice(
      events.findIndex((event) => event.stateEnteredEventDetails?.name === 'Authorize'),
    );

    expect(authorize[1]?.taskScheduledEventDetails).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
      region: REGION,
      parameters: expect.any(String),
    });
    expect(JSON.parse(authorize[1]?.taskScheduledEventDetails?.parameters ?? '')).toEqual({
      FunctionName: functionArn('AuthorizeFunction'),
      Payload: { orderId: input.orderId, token: 'tok_visa', retryCount: 0 },
    });
    expect(authorize[2]?.taskStartedEventDetails).toEqual({ resourceType: 'lambda', resource: 'invoke' });
    const succeeded = authorize[3]?.taskSucceededEventDetails;
    expect(succeeded).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      outputDetails: { truncated: false },
    });
    // The task's own result, before the state's ResultSelector.
    expect(JSON.parse(succeeded?.output ?? '')).toMatchObject({
      Payload: { authorizationId: 'auth-1' },
      StatusCode: 200,
    });
  });

  it('records a task whose Resource is a function ARN as LambdaFunction events, with its input and output', async () => {
    const input = order({ method: 'card', token: 'tok_visa' });
    const executionArn = await start(WORKFLOW_ARN, input);
    await ended(executionArn);

    const events = await historyOf(executionArn);
    const scheduled = events.find((event) => event.type === 'LambdaFunctionScheduled');
    const succeeded = events.find((event) => event.type === 'LambdaFunctionSucceeded');

    expect(scheduled?.lambdaFunctionScheduledEventDetails).toEqual({
      resource: functionArn('CaptureFunction'),
      input: JSON.stringify({ orderId: input.orderId, method: 'card' }),
      inputDetails: { truncated: false },
    });
    expect(JSON.parse(succeeded?.lambdaFunctionSucceededEventDetails?.output ?? '')).toEqual({
      captureId: `cap-${input.orderId}`,
    });
  });

  it('shows a retry as the task’s failure, then a new scheduling of it, with no entry in between', async () => {
    const executionArn = await start(WORKFLOW_ARN, order({ method: 'card', token: 'tok_flaky' }));
    await ended(executionArn);

    const events = await historyOf(executionArn);
    const authorize = outline(events).slice(
      outline(events).indexOf('TaskStateEntered Authorize'),
      outline(events).indexOf('TaskStateExited Authorize') + 1,
    );

    expect(authorize).toEqual([
      'TaskStateEntered Authorize',
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskFailed'],
      ...['TaskScheduled', 'TaskStarted', 'TaskSucceeded'],
      'TaskStateExited Authorize',
    ]);
    expect(events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'ProviderUnavailableError',
    });
  });

  it('records a callback task’s hand-over as TaskSubmitted and its answer as TaskSucceeded', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(WORKFLOW_ARN, input);
    const taskToken = await eventually(() => transferTokens.get(input.orderId));
    await eventually(async () =>
      (await historyOf(executionArn)).some((event) => event.type === 'TaskSubmitted') ? true : undefined,
    );
    await test.sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ confirmed: true }) }),
    );
    await ended(executionArn);

    const events = await historyOf(executionArn);
    const waiting = events.slice(
      events.findIndex((event) => event.stateEnteredEventDetails?.name === 'AwaitBankTransfer'),
    );

    expect(outline(waiting.slice(0, 6))).toEqual([
      'TaskStateEntered AwaitBankTransfer',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited AwaitBankTransfer',
    ]);
    expect(waiting[1]?.taskScheduledEventDetails).toMatchObject({ resource: 'invoke.waitForTaskToken' });
    expect(JSON.parse(waiting[3]?.taskSubmittedEventDetails?.output ?? '')).toMatchObject({
      Payload: { accepted: true },
    });
    expect(JSON.parse(waiting[4]?.taskSucceededEventDetails?.output ?? '')).toEqual({ confirmed: true });
  });

  it('records a callback task that ran out of time as TaskTimedOut, with States.Timeout', async () => {
    const input = order({ method: 'bank_transfer' });
    const executionArn = await start(WORKFLOW_ARN, input);
    await ended(executionArn);

    const events = await historyOf(executionArn);
    const timedOut = events.find((event) => event.type === 'TaskTimedOut');

    expect(timedOut?.taskTimedOutEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
      error: 'States.Timeout',
    });
    expect(events[events.indexOf(timedOut as HistoryEvent) + 1]?.type).toBe('TaskStateExited');
  }, 15_000);

  it('records Choice, Wait, Pass and Succeed states by their entries and exits', async () => {
    const executionArn = await start(stateMachineArn('Choices'), { go: true });
    await ended(executionArn);

    expect(outline(await historyOf(executionArn))).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered Route',
      'ChoiceStateExited Route',
      'WaitStateEntered Pause',
      'WaitStateExited Pause',
      'PassStateEntered Shape',
      'PassStateExited Shape',
      'SucceedStateEntered Done',
      'SucceedStateExited Done',
      'ExecutionSucceeded',
    ]);
  });

  it('ends a Fail state’s history with ExecutionFailed, carrying its error and cause', async () => {
    const executionArn = await start(stateMachineArn('Choices'), { go: false });
    await ended(executionArn);

    const events = await historyOf(executionArn);

    expect(outline(events).slice(-2)).toEqual(['FailStateEntered Refuse', 'ExecutionFailed']);
    expect(events.at(-1)?.executionFailedEventDetails).toEqual({
      error: 'Refused',
      cause: 'go was not true',
    });
  });

  it('records a failing function as LambdaFunctionFailed with Lambda’s error, then ExecutionFailed', async () => {
    const executionArn = await start(stateMachineArn('FunctionFails'), {});
    await ended(executionArn);

    const events = await historyOf(executionArn);

    expect(outline(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered Boom',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'ExecutionFailed',
    ]);
    expect(events[4]?.lambdaFunctionFailedEventDetails).toMatchObject({ error: 'BoomError' });
  });

  it('ends a stopped execution’s history with ExecutionAborted, carrying StopExecution’s error and cause', async () => {
    const executionArn = await start(WORKFLOW_ARN, order({ method: 'bank_transfer' }));
    await eventually(async () =>
      (await historyOf(executionArn)).some((event) => event.type === 'TaskSubmitted') ? true : undefined,
    );

    await test.sfn.send(new StopExecutionCommand({ executionArn, error: 'Cancelled', cause: 'by the test' }));

    const events = await historyOf(executionArn);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Cancelled', cause: 'by the test' },
    });
    expect(events.filter((event) => event.type === 'ExecutionAborted')).toHaveLength(1);
  });
});

describe('GetExecutionHistory’s options', () => {
  let executionArn: string;
  let all: HistoryEvent[];
  beforeAll(async () => {
    executionArn = await start(stateMachineArn('Choices'), { go: true });
    await ended(executionArn);
    all = await historyOf(executionArn);
  });

  it('returns the newest event first with reverseOrder', async () => {
    const { events = [] } = await test.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }),
    );

    expect(events.map((event) => event.id)).toEqual(all.map((event) => event.id).reverse());
  });

  it('pages the events by maxResults, following nextToken to the end', async () => {
    const pages: number[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await test.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 3, nextToken }),
      );
      pages.push((page.events ?? []).map((event) => event.id as number));
      nextToken = page.nextToken;
    } while (nextToken);

    expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
    expect(pages.flat()).toEqual(all.map((event) => event.id));
  });

  it('leaves inputs, outputs and parameters out with includeExecutionData false', async () => {
    const { events = [] } = await test.sfn.send(
      new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
    );

    expect(events[0]?.executionStartedEventDetails).toEqual({ roleArn: expect.any(String) });
    expect(events[1]?.stateEnteredEventDetails).toEqual({ name: 'Route' });
    expect(events.at(-1)?.executionSucceededEventDetails).toEqual({});
    expect(JSON.stringify(events)).not.toMatch(/"(input|output|parameters)"/);
  });

  it('leaves a task’s parameters and results out too, keeping its resource', async () => {
    const payment = await start(WORKFLOW_ARN, order({ method: 'card', token: 'tok_visa' }));
    await ended(payment);

    const { events = [] } = await test.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: payment, includeExecutionData: false }),
    );

    expect(events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails).toEqual({
      resourceType: 'dynamodb',
      resource: 'putItem',
      region: REGION,
    });
    expect(JSON.stringify(events)).not.toMatch(/"(input|output|parameters)"/);
  });
});
