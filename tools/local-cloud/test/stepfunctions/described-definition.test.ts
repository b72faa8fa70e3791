import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Definition,
  functionArn,
  functionNames,
  inMemoryInvoker,
  startTestService,
  stateMachineArn,
  type TestService,
} from './fixtures.ts';

const functions = { WorkFunction: () => null };
const definition: Definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: functionArn('WorkFunction'),
      Retry: [
        { ErrorEquals: ['Flaky'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10 },
        { ErrorEquals: ['States.ALL'], MaxAttempts: 1 },
      ],
      Next: 'Wait',
    },
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: functionArn('WorkFunction'), Payload: { 'token.$': '$$.Task.Token' } },
      TimeoutSeconds: 600,
      HeartbeatSeconds: 60,
      Next: 'Items',
    },
    Items: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Task',
            Resource: functionArn('WorkFunction'),
            Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 5, MaxAttempts: 2 }],
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

const started: TestService[] = [];
afterEach(async () => {
  for (const service of started.splice(0)) await service.stop();
});

async function describedWith(scales: { retryIntervalScale?: number; taskTimeoutScale?: number }) {
  const test = await startTestService({
    stateMachines: [{ arn: stateMachineArn('Scaled'), name: 'Scaled', definition }],
    invoker: inMemoryInvoker(functions),
    functionNameFromArn: functionNames(functions),
    putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }),
    ...scales,
  });
  started.push(test);
  const described = await test.sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: stateMachineArn('Scaled') }),
  );
  return JSON.parse(described.definition ?? '') as Definition;
}

describe('the definition DescribeStateMachine reports', () => {
  it('is the template definition unchanged when nothing is scaled', async () => {
    expect(await describedWith({})).toEqual(definition);
  });

  it('carries the scaled retry intervals and callback timeouts the cloud runs, counts and backoff as written', async () => {
    const described = await describedWith({ retryIntervalScale: 0.01, taskTimeoutScale: 0.1 });

    expect(described).toMatchObject({
      States: {
        Work: {
          Retry: [
            { IntervalSeconds: 0.02, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 0.1 },
            { IntervalSeconds: 0.01, MaxAttempts: 1 },
          ],
        },
        Wait: { TimeoutSeconds: 60, HeartbeatSeconds: 6 },
        Items: {
          ItemProcessor: { States: { Inner: { Retry: [{ IntervalSeconds: 0.05, MaxAttempts: 2 }] } } },
        },
      },
    });
  });
});
