import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbThrottleProxy } from '@shop/local-cloud/faults/dynamodb-throttle-proxy';
import { DEFAULT_FAULT_RATES, FaultPlan, parseFaults } from '@shop/local-cloud/faults/fault-plan';
import { ExecutionJournal } from '@shop/local-cloud/stepfunctions/execution-journal';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { afterEach, describe, expect, it } from 'vitest';

describe('the fault list of --faults and LOCAL_FAULTS', () => {
  it('takes a fraction per fault, a default for a name alone, and every fault for all', () => {
    expect(parseFaults('sqs-duplicate=0.3, handler-crash')).toEqual({
      'sqs-duplicate': 0.3,
      'handler-crash': DEFAULT_FAULT_RATES['handler-crash'],
    });
    expect(parseFaults('all')).toEqual(DEFAULT_FAULT_RATES);
    expect(parseFaults('')).toEqual({});
  });

  it('refuses an unknown fault, a fraction outside 0..1 and a partial restart, naming what is valid', () => {
    expect(() => parseFaults('chaos-monkey')).toThrow(/Unknown fault "chaos-monkey": use sqs-duplicate, /);
    expect(() => parseFaults('dynamodb-throttle=2')).toThrow(/a fraction from 0 to 1/);
    expect(() => parseFaults('restart=0.5')).toThrow(/a whole number of restarts/);
  });
});

describe('a fault plan', () => {
  const firings = (plan: FaultPlan) =>
    Array.from({ length: 200 }, (_, index) => plan.fires('sqs-duplicate', `message ${index}`));

  it('fires about its fraction of the time, the same way for the same seed, and counts what fired', () => {
    const first = new FaultPlan({ 'sqs-duplicate': 0.25 }, 3);
    const fired = firings(first);
    expect(fired).toEqual(firings(new FaultPlan({ 'sqs-duplicate': 0.25 }, 3)));
    expect(fired).not.toEqual(firings(new FaultPlan({ 'sqs-duplicate': 0.25 }, 4)));
    const count = fired.filter(Boolean).length;
    expect(count).toBeGreaterThan(25);
    expect(count).toBeLessThan(75);
    expect(first.counts()).toEqual({ 'sqs-duplicate': count });
  });

  it('never fires a fault that is off', () => {
    const plan = new FaultPlan({ 'sqs-duplicate': 1 });
    expect(plan.fires('handler-crash', 'a batch')).toBe(false);
    expect(plan.counts()).toEqual({});
  });
});

describe('the DynamoDB throttling proxy', () => {
  it('answers data calls with ProvisionedThroughputExceededException as DynamoDB does, and lets control calls through', async () => {
    const target = awsClientConfig('dynamodb').endpoint as string;
    const proxy = await startDynamoDbThrottleProxy(target, new FaultPlan({ 'dynamodb-throttle': 1 }));
    const client = new DynamoDBClient({
      ...awsClientConfig('dynamodb'),
      endpoint: proxy.endpoint,
      maxAttempts: 1,
    });
    try {
      await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
      await expect(
        client.send(new GetItemCommand({ TableName: 'any', Key: { id: { S: '1' } } })),
      ).rejects.toMatchObject({
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      });
    } finally {
      client.destroy();
      await proxy.stop();
    }
  });
});

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
