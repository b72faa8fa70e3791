import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import type { StateMachineSource } from '../../src/stepfunctions/stepfunctions-service.ts';
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
  startTestService,
  stateMachineArn,
  type TestService,
} from './fixtures.ts';

/**
 * Executions across a restart of the local Step Functions on the same --persist folder: those that
 * had ended are still described, listed and have their history; those that had not resume with
 * their start date, their history going on, and the retries their state had left.
 */
const callbackTokens: string[] = [];
/** The calls to the provider that is down, with the retry count each was given. */
const outageCalls: number[] = [];
/** Set while a test holds the provider's next call in flight. */
let heldCall: { release(): void; reached: Promise<void> } | undefined;

const functions: Record<string, LocalFunction> = {
  CallbackFunction(event) {
    callbackTokens.push((event as { token: string }).token);
    return null;
  },
  async OutageFunction(event) {
    outageCalls.push((event as { retryCount: number }).retryCount);
    if (heldCall) await heldCall.reached;
    throw namedError('ProviderUnavailableError', 'The provider is unavailable');
  },
};

const MAX_ATTEMPTS = 4;
const definitions: Record<string, Definition> = {
  Quick: { StartAt: 'Done', States: { Done: { Type: 'Pass', Result: { done: true }, End: true } } },
  Callback: {
    StartAt: 'Before',
    States: {
      Before: {
        Type: 'Pass',
        Parameters: { 'startTime.$': '$$.Execution.StartTime' },
        ResultPath: '$.before',
        Next: 'Wait',
      },
      Wait: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: functionArn('CallbackFunction'),
          Payload: { 'token.$': '$$.Task.Token' },
        },
        ResultPath: null,
        Next: 'After',
      },
      After: {
        Type: 'Pass',
        Parameters: { 'before.$': '$.before.startTime', 'after.$': '$$.Execution.StartTime' },
        End: true,
      },
    },
  },
  Outage: {
    StartAt: 'Authorize',
    States: {
      Authorize: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: functionArn('OutageFunction'),
          Payload: { 'retryCount.$': '$$.State.RetryCount' },
        },
        Retry: [
          { ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 },
          {
            ErrorEquals: ['ProviderUnavailableError'],
            IntervalSeconds: 1,
            BackoffRate: 2,
            MaxAttempts: MAX_ATTEMPTS,
          },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'GaveUp' }],
        End: true,
      },
      GaveUp: { Type: 'Pass', End: true },
    },
  },
};
const stateMachines: StateMachineSource[] = Object.entries(definitions).map(([name, definition]) => ({
  arn: stateMachineArn(name),
  name,
  definition,
}));

let persistDir: string;
const running: TestService[] = [];
afterEach(async () => {
  heldCall?.release();
  heldCall = undefined;
  await Promise.all(running.splice(0).map((service) => service.stop()));
  callbackTokens.length = 0;
  outageCalls.length = 0;
  rmSync(persistDir, { recursive: true, force: true });
});

/** A run of the local Step Functions on the test's --persist folder. */
async function run(retryIntervalScale = 0.01): Promise<TestService> {
  persistDir ??= mkdtempSync(join(tmpdir(), 'sfn-restart-'));
  const service = await startTestService({
    stateMachines,
    invoker: inMemoryInvoker(functions),
    functionNameFromArn: functionNames(functions),
    putEvents: capturedEvents().putEvents,
    retryIntervalScale,
    persistDir,
  });
  running.push(service);
  return service;
}

async function restart(previous: TestService, retryIntervalScale?: number): Promise<TestService> {
  running.splice(running.indexOf(previous), 1);
  await previous.stop();
  const next = await run(retryIntervalScale);
  next.service.resumeInterrupted();
  return next;
}

const start = (test: TestService, machine: string, input: unknown = {}) =>
  executionsOf(test.sfn).start(stateMachineArn(machine), input);
const ended = (test: TestService, executionArn: string) => executionsOf(test.sfn).ended(executionArn);
const historyOf = (test: TestService, executionArn: string) => executionsOf(test.sfn).history(executionArn);

const types = (events: HistoryEvent[]) => events.map((event) => event.type);

describe('an execution that ended, after a restart on the --persist folder', () => {
  it('is described, listed and has its history as before the restart', async () => {
    persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    const first = await run();
    const executionArn = await start(first, 'Quick', { n: 1 });
    const before = await ended(first, executionArn);
    const historyBefore = await historyOf(first, executionArn);

    const second = await restart(first);

    const { $metadata: _after, ...after } = await second.sfn.send(
      new DescribeExecutionCommand({ executionArn }),
    );
    const { $metadata: _before, ...described } = before;
    expect(after).toEqual(described);
    expect(after).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    const { executions = [] } = await second.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stateMachineArn('Quick') }),
    );
    expect(executions.map((execution) => execution.executionArn)).toEqual([executionArn]);
    expect(await historyOf(second, executionArn)).toEqual(historyBefore);
  });
});

describe('an execution a restart interrupted', () => {
  it('keeps its start date and $$.Execution.StartTime, and its history goes on from where it was', async () => {
    persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    const first = await run();
    const executionArn = await start(first, 'Callback');
    await eventually(() => callbackTokens[0]);
    const { startDate } = await first.sfn.send(new DescribeExecutionCommand({ executionArn }));
    await eventually(async () =>
      types(await historyOf(first, executionArn)).includes('TaskSubmitted') ? true : undefined,
    );

    const second = await restart(first);
    const taskToken = await eventually(() => callbackTokens[1]);
    await second.sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    const execution = await ended(second, executionArn);
    const events = await historyOf(second, executionArn);

    expect(execution).toMatchObject({ status: 'SUCCEEDED', startDate });
    expect(JSON.parse(execution.output ?? '')).toEqual({
      before: startDate?.toISOString(),
      after: startDate?.toISOString(),
    });
    // The task the restart cut short is scheduled again, as a retry shows; its state is not re-entered.
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      ...['TaskScheduled', 'TaskStarted', 'TaskSubmitted'],
      ...['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded'],
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => [event.id, event.previousEventId])).toEqual(
      events.map((_event, index) => [index + 1, index]),
    );
  });

  it('is the same execution to a repeated start that comes before it is resumed', async () => {
    persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    const first = await run();
    const name = randomUUID();
    const send = (test: TestService, input: string) =>
      test.sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('Callback'), name, input }));
    const { executionArn, startDate } = await send(first, '{}');
    await eventually(() => callbackTokens[0]);
    running.splice(running.indexOf(first), 1);
    await first.stop();

    const second = await run();

    expect(await send(second, '{}')).toMatchObject({ executionArn, startDate });
    await expect(send(second, '{"other":true}')).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    second.service.resumeInterrupted();
    expect(second.service.listExecutions().map((execution) => execution.executionArn)).toEqual([
      executionArn,
    ]);
  });

  it('resumes a state waiting to retry with the attempts it had left, not a fresh budget', async () => {
    persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    // Real intervals in the first run: after its second failure the state waits 2 s to retry.
    const first = await run(1);
    const executionArn = await start(first, 'Outage');
    await eventually(async () =>
      types(await historyOf(first, executionArn)).filter((type) => type === 'TaskFailed').length === 2
        ? true
        : undefined,
    );

    const second = await restart(first);
    const execution = await ended(second, executionArn);
    const events = await historyOf(second, executionArn);

    expect(outageCalls).toEqual([0, 1, 2, 3, 4]);
    expect(types(events).filter((type) => type === 'TaskScheduled')).toHaveLength(MAX_ATTEMPTS + 1);
    expect(types(events).filter((type) => type === 'TaskFailed')).toHaveLength(MAX_ATTEMPTS + 1);
    expect(JSON.parse(execution.output ?? '')).toMatchObject({
      error: { Error: 'ProviderUnavailableError' },
    });
  });

  it('lets a task call in flight answer before the restart, so its failure counts against the retries', async () => {
    persistDir = mkdtempSync(join(tmpdir(), 'sfn-restart-'));
    const first = await run();
    const executionArn = await start(first, 'Outage');
    await eventually(() => (outageCalls.length === 2 ? true : undefined));
    // The third call is in flight when the stop comes: the stop waits for its answer.
    const held = Promise.withResolvers<void>();
    heldCall = { release: () => held.resolve(), reached: held.promise };
    await eventually(() => (outageCalls.length === 3 ? true : undefined));

    running.splice(running.indexOf(first), 1);
    const stopping = first.stop();
    heldCall.release();
    heldCall = undefined;
    await stopping;
    const second = await run();
    second.service.resumeInterrupted();
    await ended(second, executionArn);
    const events = types(await historyOf(second, executionArn));

    // Every call has its answer in the history: none was cut short.
    expect(events.filter((type) => type === 'TaskScheduled')).toHaveLength(MAX_ATTEMPTS + 1);
    expect(events.filter((type) => type === 'TaskFailed')).toHaveLength(MAX_ATTEMPTS + 1);
    expect(outageCalls).toEqual([0, 1, 2, 3, 4]);
  });
});
