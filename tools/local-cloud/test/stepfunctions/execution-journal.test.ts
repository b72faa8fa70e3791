import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionJournal } from '../../src/stepfunctions/execution-journal.ts';
import type { HistoryEvent } from '../../src/stepfunctions/history.ts';

describe('the execution journal of --persist', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const NOW = new Date('2026-06-01T00:00:00.000Z');
  const execution = (name: string, startDate = '2026-05-31T00:00:00.000Z') => ({
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:wf:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:wf',
    name,
    input: JSON.stringify({ orderId: name }),
    startDate,
  });
  const event = (id: number, type: string): HistoryEvent => ({
    id,
    previousEventId: id - 1,
    timestamp: new Date(Date.parse('2026-05-31T00:00:00.000Z') + id),
    type,
  });
  const file = () => join(dir as string, 'executions.jsonl');

  it('gives back the executions that had not ended, at the last state they entered, with their history', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const { journal } = ExecutionJournal.open(dir, NOW);
    journal.started(execution('interrupted'));
    journal.recorded(execution('interrupted').executionArn, event(1, 'ExecutionStarted'));
    journal.entered(execution('interrupted').executionArn, { stateName: 'Authorize', input: '{"a":1}' });
    journal.entered(execution('interrupted').executionArn, { stateName: 'Capture', input: '{"a":2}' });
    journal.recorded(execution('interrupted').executionArn, event(2, 'TaskStateEntered'));
    journal.started(execution('not-begun'));
    // A process killed mid-write leaves a cut line: what it was writing was never acknowledged.
    writeFileSync(file(), `${readFileSync(file(), 'utf8')}{"kind":"end","exec`);

    const { unfinished, ended } = ExecutionJournal.open(dir, NOW);

    expect(ended).toEqual([]);
    expect(unfinished).toEqual([
      {
        ...execution('interrupted'),
        resumeAt: { stateName: 'Capture', input: '{"a":2}' },
        events: [event(1, 'ExecutionStarted'), event(2, 'TaskStateEntered')],
      },
      { ...execution('not-begun'), events: [] },
    ]);
    expect(ExecutionJournal.open(dir, NOW)).toMatchObject({ unfinished, ended: [] });
  });

  it('keeps the executions that ended, with their end and history, across any number of restarts', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const { journal } = ExecutionJournal.open(dir, NOW);
    journal.started(execution('done'));
    journal.recorded(execution('done').executionArn, event(1, 'ExecutionStarted'));
    journal.recorded(execution('done').executionArn, event(2, 'ExecutionSucceeded'));
    journal.ended(execution('done').executionArn, 'SUCCEEDED', {
      stopDate: '2026-05-31T00:00:01.000Z',
      output: '{"ok":true}',
    });

    ExecutionJournal.open(dir, NOW);
    const { ended, unfinished } = ExecutionJournal.open(dir, NOW);

    expect(unfinished).toEqual([]);
    expect(ended).toEqual([
      {
        ...execution('done'),
        events: [event(1, 'ExecutionStarted'), event(2, 'ExecutionSucceeded')],
        status: 'SUCCEEDED',
        stopDate: '2026-05-31T00:00:01.000Z',
        output: '{"ok":true}',
      },
    ]);
  });

  it('forgets an execution 90 days after it ended, as AWS does', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const { journal } = ExecutionJournal.open(dir, NOW);
    journal.started(execution('old', '2026-02-01T00:00:00.000Z'));
    journal.ended(execution('old').executionArn, 'FAILED', { stopDate: '2026-03-02T00:00:00.000Z' });
    journal.started(execution('recent', '2026-02-01T00:00:00.000Z'));
    journal.ended(execution('recent').executionArn, 'FAILED', { stopDate: '2026-03-04T00:00:00.000Z' });

    expect(ExecutionJournal.open(dir, NOW).ended.map(({ name }) => name)).toEqual(['recent']);
  });

  it('reads a file of the earlier format, whose ends carry their status only and which has no history', () => {
    dir = mkdtempSync(join(tmpdir(), 'journal-'));
    const lines = [
      { kind: 'start', ...execution('earlier') },
      { kind: 'state', executionArn: execution('earlier').executionArn, stateName: 'Capture', input: '{}' },
      { kind: 'end', executionArn: execution('earlier').executionArn, status: 'SUCCEEDED' },
      { kind: 'start', ...execution('waiting') },
      { kind: 'state', executionArn: execution('waiting').executionArn, stateName: 'Await', input: '{}' },
    ];
    writeFileSync(file(), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));

    const { ended, unfinished } = ExecutionJournal.open(dir, NOW);

    expect(ended).toEqual([{ ...execution('earlier'), events: [], status: 'SUCCEEDED' }]);
    expect(unfinished).toEqual([
      { ...execution('waiting'), resumeAt: { stateName: 'Await', input: '{}' }, events: [] },
    ]);
  });
});
