import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import { startDynamoDbThrottleProxy } from '../../src/faults/dynamodb-throttle-proxy.ts';
import { ENGINE_FAULTS } from '../../src/faults/engine-faults.ts';
import { startFaultInjection } from '../../src/faults/fault-injection.ts';
import {
  type FaultDefinition,
  FaultPlan,
  type PluginFault,
  parseFaults,
} from '../../src/faults/fault-plan.ts';

/** A fault of an application's, injected by its own code: the engine only sets its environment. */
const slowService: PluginFault = {
  name: 'slow-service',
  description: 'a service answers late',
  defaultRate: 0.3,
  environment: ({ rate, seed }) => ({ SLOW_SERVICE: `${rate}:${seed}` }),
};
/** A fault counted in whole times, as the soak's restart is. */
const restart: FaultDefinition = {
  name: 'restart',
  description: 'kill and start again',
  defaultRate: 1,
  measure: 'count',
};
const known = [...ENGINE_FAULTS, slowService, restart];

describe('the fault list of --faults and LOCAL_FAULTS', () => {
  it('takes a fraction per fault, a default for a name alone, and every known fault for all', () => {
    expect(parseFaults('sqs-duplicate=0.3, handler-crash', known)).toEqual({
      'sqs-duplicate': 0.3,
      'handler-crash': 0.05,
    });
    expect(parseFaults('all', known)).toEqual({
      'sqs-duplicate': 0.1,
      'handler-crash': 0.05,
      'dynamodb-throttle': 0.05,
      'slow-service': 0.3,
      restart: 1,
    });
    expect(parseFaults('', known)).toEqual({});
  });

  it('refuses an unknown fault, a fraction outside 0..1 and a part of a counted fault, naming what is valid', () => {
    expect(() => parseFaults('chaos-monkey', known)).toThrow(
      /Unknown fault "chaos-monkey": use sqs-duplicate, /,
    );
    expect(() => parseFaults('slow-service', ENGINE_FAULTS)).toThrow(/Unknown fault "slow-service"/);
    expect(() => parseFaults('dynamodb-throttle=2', known)).toThrow(/a fraction from 0 to 1/);
    expect(() => parseFaults('restart=0.5', known)).toThrow(/a whole number of times/);
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

describe('fault injection in a starting local cloud', () => {
  const entry = (fields: Record<string, unknown>): LogEntry => ({
    source: 'a-function',
    level: 'WARN',
    message: 'Injected fault slow-service: late by 300 ms',
    fields,
    time: new Date().toISOString(),
  });

  it("sets a plugin's fault's environment on the functions and counts the log lines that report it", async () => {
    const logged: LogEntry[] = [];
    const plan = new FaultPlan({ 'slow-service': 0.5 }, 9);
    const injection = await startFaultInjection(plan, {
      dynamodbEndpoint: 'http://127.0.0.1:1',
      log: (line) => logged.push(line),
      pluginFaults: [slowService],
    });
    try {
      expect(injection.environment).toEqual({ SLOW_SERVICE: '0.5:9' });
      injection.log(entry({ fault: 'slow-service' }));
      injection.log(entry({ fault: 'another' }));
      expect(plan.counts()).toEqual({ 'slow-service': 1 });
      // The function's own line is the only one: the engine does not log the fault again.
      expect(logged).toHaveLength(2);
    } finally {
      await injection.stop();
    }
  });

  it('logs an engine fault it fires, and refuses a plan naming a fault no part injects', async () => {
    const logged: LogEntry[] = [];
    const plan = new FaultPlan({ 'handler-crash': 1 });
    const injection = await startFaultInjection(plan, {
      dynamodbEndpoint: 'http://127.0.0.1:1',
      log: (line) => logged.push(line),
      pluginFaults: [],
    });
    try {
      expect(injection.environment).toEqual({});
      plan.fires('handler-crash', 'a batch');
      expect(logged).toEqual([
        expect.objectContaining({ source: 'faults', message: 'Injected fault handler-crash: a batch' }),
      ]);
    } finally {
      await injection.stop();
    }
    await expect(
      startFaultInjection(new FaultPlan({ 'slow-service': 0.1 }), {
        dynamodbEndpoint: 'http://127.0.0.1:1',
        log: () => undefined,
        pluginFaults: [],
      }),
    ).rejects.toThrow(/Unknown fault "slow-service": this local cloud injects sqs-duplicate, /);
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
