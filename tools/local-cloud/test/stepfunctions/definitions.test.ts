import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { prepareDefinition } from '../../src/stepfunctions/definition.ts';
import { createStepFunctionsService } from '../../src/stepfunctions/stepfunctions-service.ts';
import {
  ACCOUNT,
  type Definition,
  functionArn,
  functionNames,
  inMemoryInvoker,
  paymentWorkflow,
  REGION,
  stateMachineArn,
} from './fixtures.ts';

const functions = {
  AuthorizeFunction: () => ({}),
  AwaitBankTransferFunction: () => ({}),
  CaptureFunction: () => ({}),
};
// Never called: creation is refused before anything runs.
const offline = {
  endpoint: 'http://127.0.0.1:9',
  region: REGION,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};

function create(definition: Definition) {
  return createStepFunctionsService({
    stateMachines: [{ arn: stateMachineArn('Checkout'), name: 'Checkout', definition }],
    invoker: inMemoryInvoker(functions),
    functionNameFromArn: functionNames(functions),
    clients: { dynamodb: new DynamoDBClient(offline), sqs: new SQSClient(offline) },
    putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }),
    log: () => undefined,
    region: REGION,
    accountId: ACCOUNT,
  });
}

const oneState = (state: Definition, machine: Definition = {}): Definition => ({
  ...machine,
  StartAt: 'Charge',
  States: { Charge: { End: true, ...state } },
});
const invoke = (extra: Definition = {}): Definition => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionArn('AuthorizeFunction'), 'Payload.$': '$' },
  ...extra,
});

describe('state machine definitions the local Step Functions refuses at creation', () => {
  it('refuses JSONata at the top level, naming the state machine', async () => {
    await expect(create(oneState({ Type: 'Pass' }, { QueryLanguage: 'JSONata' }))).rejects.toThrow(
      /State machine Checkout .*\n.*QueryLanguage JSONata is not supported/,
    );
  });

  it('refuses JSONata in one state, naming the state', async () => {
    await expect(
      create(oneState(invoke({ QueryLanguage: 'JSONata', Arguments: { FunctionName: 'x' } }))),
    ).rejects.toThrow(
      /state "Charge": QueryLanguage JSONata[\s\S]*state "Charge": Arguments is a JSONata field/,
    );
  });

  it('refuses JSONata Output fields', async () => {
    await expect(create(oneState({ Type: 'Pass', Output: { a: 1 } }))).rejects.toThrow(
      /state "Charge": Output is a JSONata field/,
    );
  });

  it('refuses variables (Assign) in a state and in a catcher', async () => {
    const definition = oneState(
      invoke({
        Assign: { total: 1 },
        Catch: [{ ErrorEquals: ['States.ALL'], Assign: { failed: true }, Next: 'Charge' }],
      }),
    );

    await expect(create(definition)).rejects.toThrow(
      /state "Charge": Assign \(variables\)[\s\S]*state "Charge" \(Catch\): Assign \(variables\)/,
    );
  });

  it('refuses a Task resource it does not implement, listing the supported ones', async () => {
    const s3 = oneState({ Type: 'Task', Resource: 'arn:aws:states:::s3:putObject', Parameters: {} });

    await expect(create(s3)).rejects.toThrow(
      /state "Charge": its resource arn:aws:states:::s3:putObject is not supported locally \(supported: .*dynamodb:putItem/,
    );
  });

  it('refuses a function the wiring does not know, as a resource or as a FunctionName', async () => {
    await expect(create(oneState({ Type: 'Task', Resource: functionArn('GhostFunction') }))).rejects.toThrow(
      /its function .*GhostFunction is not a function of this app/,
    );
    await expect(
      create(oneState(invoke({ Parameters: { FunctionName: functionArn('GhostFunction'), Payload: {} } }))),
    ).rejects.toThrow(/state "Charge": its function .*GhostFunction is not a function of this app/);
  });

  it('refuses states nested in Parallel branches the same way', async () => {
    const definition = oneState({
      Type: 'Parallel',
      Branches: [{ StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { x: 1 }, End: true } } }],
    });

    await expect(create(definition)).rejects.toThrow(/state "Inner": Assign/);
  });

  it('refuses Context Object paths no local execution provides', async () => {
    const definition = oneState({
      Type: 'Pass',
      Parameters: { 'token.$': '$$.Task.Token', 'other.$': '$$.Unknown.Thing' },
    });

    await expect(create(definition)).rejects.toThrow(
      /only a \.waitForTaskToken task can read \$\$\.Task\.Token[\s\S]*\$\$\.Unknown is not available locally/,
    );
  });

  it('accepts the payment-shaped workflow with its JSONPath QueryLanguage', async () => {
    const service = await create(
      paymentWorkflow({ tableName: 'payments', queueUrl: 'http://127.0.0.1:9/queue' }),
    );

    await service.stop();
    expect(service.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('the local speed-ups of a definition', () => {
  const prepare = (definition: Definition) =>
    prepareDefinition(definition, {
      name: 'Checkout',
      functionNameFromArn: functionNames(functions),
      retryIntervalScale: 0.01,
      taskTimeoutScale: 0.5,
    });

  it('shortens retry intervals, keeping the attempts, the backoff rate and the jitter', () => {
    const retrier = {
      ErrorEquals: ['X'],
      IntervalSeconds: 2,
      BackoffRate: 3,
      MaxAttempts: 5,
      MaxDelaySeconds: 10,
      JitterStrategy: 'FULL',
    };

    const { definition } = prepare(oneState(invoke({ Retry: [retrier, { ErrorEquals: ['Y'] }] })));
    const [scaled, defaulted] =
      (definition.States as Record<string, { Retry: unknown[] }>).Charge?.Retry ?? [];

    expect(scaled).toEqual({ ...retrier, IntervalSeconds: 0.02, MaxDelaySeconds: 0.1 });
    expect(defaulted).toEqual({ ErrorEquals: ['Y'], IntervalSeconds: 0.01 });
  });

  it('scales the timeouts of callback tasks only, and gives other tasks AWS’s no-timeout default', () => {
    const definition = {
      StartAt: 'Wait',
      States: {
        Wait: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: functionArn('AuthorizeFunction'),
            Payload: { 'token.$': '$$.Task.Token' },
          },
          TimeoutSeconds: 60,
          HeartbeatSeconds: 10,
          Next: 'Charge',
        },
        Charge: invoke({ TimeoutSeconds: 8, Next: 'Capture' }),
        Capture: invoke({ End: true }),
      },
    };

    const { tasks, definition: local } = prepare(definition);
    const states = local.States as Record<string, { TimeoutSeconds: number }>;

    expect(tasks.get('Wait')).toMatchObject({ timeoutMs: 30_000, heartbeatMs: 5_000 });
    expect(states.Charge?.TimeoutSeconds).toBe(8);
    // The library's default is 60 s; AWS has none: the longest a timer allows.
    expect(states.Capture?.TimeoutSeconds).toBe(2_147_483);
  });
});
