import { describe, expect, it } from 'vitest';
import { callbackTimeoutSeconds, retryBudgetSeconds } from '../scenarios/workflow-deadlines.ts';

/** The scenarios' deadlines, read from a workflow definition as DescribeStateMachine reports it. */
const definition = {
  StartAt: 'Authorize',
  States: {
    Authorize: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      // 1 + 2 + 4 + 8 s.
      Retry: [
        { ErrorEquals: ['ProviderUnavailableError'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4 },
      ],
      Next: 'Transfer',
    },
    Transfer: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      TimeoutSeconds: 86_400,
      Next: 'Refund',
    },
    Refund: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Call',
          States: {
            Call: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              // 2 + 4 + 8 + 10 + 10 + 10 s: each wait capped at 10 s.
              Retry: [
                { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, MaxDelaySeconds: 10 },
              ],
              End: true,
            },
          },
        },
      ],
      End: true,
    },
  },
};

describe("a workflow definition's deadlines", () => {
  it("sum every retrier's waits, backoff and caps applied, nested states included", () => {
    expect(retryBudgetSeconds(definition)).toBe(15 + 44);
  });

  it("take a retrier's defaults where it sets none: 1 s, a rate of 2, three attempts", () => {
    expect(retryBudgetSeconds({ States: { A: { Retry: [{ ErrorEquals: ['States.ALL'] }] } } })).toBe(
      1 + 2 + 4,
    );
  });

  it('read how long a callback task waits, and nothing where there is none', () => {
    expect(callbackTimeoutSeconds(definition)).toBe(86_400);
    expect(callbackTimeoutSeconds({ States: { A: { Type: 'Pass', End: true } } })).toBeUndefined();
  });
});
