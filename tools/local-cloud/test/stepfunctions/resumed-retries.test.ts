import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../src/stepfunctions/history.ts';
import { resumedRetries } from '../../src/stepfunctions/resumed-retries.ts';

/** What the library reads of a Task state's retriers, and a history of its attempts so far. */
const authorize = {
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Retry: [
    { ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 3 },
    { ErrorEquals: ['ProviderUnavailableError'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 4 },
  ],
};

function historyOf(types: string[]): HistoryEvent[] {
  return ['TaskStateEntered', ...types].map((type, index) => ({
    id: index + 1,
    previousEventId: index,
    timestamp: new Date(0),
    type,
    ...(type === 'TaskStateEntered' ? { stateEnteredEventDetails: { name: 'Authorize' } } : {}),
    ...(type === 'TaskFailed'
      ? { taskFailedEventDetails: { error: 'ProviderUnavailableError', cause: 'down' } }
      : {}),
  }));
}

const attempt = ['TaskScheduled', 'TaskStarted'];
const failed = [...attempt, 'TaskFailed'];

describe('the retries a state resumed after a restart has left', () => {
  it('takes the failures since its entry off the retrier that matched them, and advances its interval', () => {
    const resumed = resumedRetries(authorize, 'Authorize', historyOf([...failed, ...failed]));

    expect(resumed?.state.Retry).toEqual([
      authorize.Retry[0],
      { ErrorEquals: ['ProviderUnavailableError'], IntervalSeconds: 4, BackoffRate: 2, MaxAttempts: 2 },
    ]);
    expect(resumed?.attemptsMade).toBe(2);
  });

  it('charges the attempts a kill cut short like the first failure after the restart', () => {
    const resumed = resumedRetries(authorize, 'Authorize', historyOf([...failed, ...attempt, ...attempt]));

    resumed?.failed('ProviderUnavailableError');
    resumed?.failed('ProviderUnavailableError');

    expect(resumed?.attemptsMade).toBe(3);
    expect(resumed?.state.Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: ['ProviderUnavailableError'],
        MaxAttempts: 1,
        IntervalSeconds: 8,
      }),
    );
  });

  it('leaves the definition’s own state as it was', () => {
    resumedRetries(authorize, 'Authorize', historyOf(failed));

    expect(authorize.Retry[1]).toMatchObject({ MaxAttempts: 4, IntervalSeconds: 1 });
  });
});
