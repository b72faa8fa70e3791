import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionJournal } from '../../src/stepfunctions/execution-journal.ts';

describe('the execution journal of --persist', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const execution = (name: string) => ({
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:wf:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:wf',
    name,
    input: JSON.stringify({ orderId: name }),
    startDate: '2026-01-01T00:00:00.000Z',
  });

  it('gives back the executions that had not ended, at the last state they entered, with its input', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const { journal } = ExecutionJournal.open(dir);
    journal.started(execution('ended'));
    journal.entered(execution('ended').executionArn, { stateName: 'Capture', input: '{}' });
    journal.ended(execution('ended').executionArn, 'SUCCEEDED');
    journal.started(execution('interrupted'));
    journal.entered(execution('interrupted').executionArn, { stateName: 'Authorize', input: '{"a":1}' });
    journal.entered(execution('interrupted').executionArn, { stateName: 'Capture', input: '{"a":2}' });
    journal.started(execution('not-begun'));
    // A process killed mid-write leaves a cut line: what it was writing was never acknowledged.
    writeFileSync(
      join(dir, 'executions.jsonl'),
      `${readFileSync(join(dir, 'executions.jsonl'), 'utf8')}{"kind":"end","exec`,
    );

    const { unfinished, ended } = ExecutionJournal.open(dir);
    expect(ended).toEqual([execution('ended').executionArn]);
    expect(unfinished).toEqual([
      { ...execution('interrupted'), resumeAt: { stateName: 'Capture', input: '{"a":2}' } },
      execution('not-begun'),
    ]);
    // The journal starts over with only what is unfinished, so it does not grow without end: the
    // ended names are remembered across one restart.
    expect(ExecutionJournal.open(dir)).toMatchObject({ unfinished, ended: [] });
  });
});
