import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeResult, LogEntry } from '../../src/contracts.ts';
import {
  createLambdaRuntime,
  type InvocationEvent,
  type LambdaFunctionConfig,
  type LambdaRuntime,
} from '../../src/lambda/lambda-runtime.ts';

/**
 * The local Lambda runtime, against tiny ESM bundles written for each test.
 */
const fixtures: Record<string, string> = {
  'env-reader': `
    import { threadId } from 'node:worker_threads';
    const color = process.env.COLOR; // read once, at cold start, like an SDK client's config
    export const handler = async () => ({
      color,
      threadId,
      profile: process.env.AWS_PROFILE ?? null,
      sessionToken: process.env.AWS_SESSION_TOKEN ?? null,
      executionEnv: process.env.AWS_EXECUTION_ENV ?? null,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      memorySize: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      region: process.env.AWS_REGION,
    });`,
  context: `
    export const handler = async (event, context) => ({
      event,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remainingTimeInMillis: context.getRemainingTimeInMillis(),
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      returnedAt: new Date(0),
    });`,
  declined: `
    class CardDeclinedError extends Error { name = 'CardDeclinedError'; }
    class UnnamedError extends Error {}
    export const handler = async (event) => {
      if (event.unnamed) throw new UnnamedError('no name set');
      throw new CardDeclinedError('The card was declined');
    };`,
  sleeper: `
    import { threadId } from 'node:worker_threads';
    export const handler = async (event) => {
      await new Promise((resolve) => setTimeout(resolve, event.sleepMs ?? 0));
      return { threadId };
    };`,
  crashing: `
    import { threadId } from 'node:worker_threads';
    const forever = () => new Promise((resolve) => setTimeout(resolve, 60_000));
    export const handler = async (event) => {
      if (event.crash === 'exit') process.exit(1);
      if (event.crash === 'rejection') { Promise.reject(new Error('nobody awaits this')); await forever(); }
      if (event.crash === 'uncaught') { setTimeout(() => { throw new TypeError('thrown from a timer'); }); await forever(); }
      return { threadId };
    };`,
  logging: `
    export const handler = async (event) => {
      console.log(JSON.stringify({ level: 'INFO', message: 'Order placed', timestamp: '2025-03-01T10:00:00.000Z',
        service: 'orders', correlation_id: event.correlationId, orderId: 'ord_1' }));
      console.log(JSON.stringify({ level: 'WARN', message: 'Stock is low', correlation_id: event.correlationId }));
      console.log('a plain line\\nand another');
      console.error('a plain error line');
      return 'logged';
    };`,
  'broken-init': `
    class ConfigurationError extends Error { name = 'ConfigurationError'; }
    if (!process.env.REQUIRED_SETTING) throw new ConfigurationError('Missing required environment variable(s): REQUIRED_SETTING');
    export const handler = async () => 'never';`,
  'memory-hog': `
    const kept = [];
    export const handler = async () => { for (;;) kept.push(new Array(1e6).fill(Math.random())); };`,
  'no-handler': 'export const main = async () => "wrong export name";',
};

let bundles: string;
const bundle = (name: string) => join(bundles, name, 'index.mjs');

beforeAll(async () => {
  bundles = await mkdtemp(join(tmpdir(), 'lambda-runtime-test-'));
  for (const [name, source] of Object.entries(fixtures)) {
    await mkdir(join(bundles, name));
    await writeFile(bundle(name), source);
  }
});

const runtimes: LambdaRuntime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.stop()));
  await rm(bundles, { recursive: true, force: true });
});

const baseEnvironment = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

function aFunction(name: string, overrides: Partial<LambdaFunctionConfig> = {}): LambdaFunctionConfig {
  return {
    name,
    handlerFile: bundle(name),
    handlerExport: 'handler',
    environment: {},
    timeoutSeconds: 5,
    memoryMb: 256,
    ...overrides,
  };
}

function startRuntime(functions: LambdaFunctionConfig[], environment: Record<string, string> = {}) {
  const logs: LogEntry[] = [];
  const invocations: InvocationEvent[] = [];
  const runtime = createLambdaRuntime({
    functions,
    baseEnvironment: { ...baseEnvironment, ...environment },
    log: (entry) => logs.push(entry),
    logLevel: 'DEBUG',
  });
  runtime.onInvocation((event) => invocations.push(event));
  runtimes.push(runtime);
  return { runtime, logs, invocations };
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function payloadOf<T = Record<string, unknown>>(result: InvokeResult): T {
  if (!result.ok)
    throw new Error(`Expected success, got ${result.error.errorType}: ${result.error.errorMessage}`);
  return result.payload as T;
}

function errorOf(result: InvokeResult) {
  if (result.ok) throw new Error(`Expected an error, got ${JSON.stringify(result.payload)}`);
  return result.error;
}

describe('lambda runtime', () => {
  it('gives each function its own environment, so two functions reading one variable see their own values', async () => {
    const previousProfile = process.env.AWS_PROFILE;
    process.env.AWS_PROFILE = 'developer-real-account';
    try {
      const { runtime } = startRuntime(
        [
          aFunction('Red', { handlerFile: bundle('env-reader'), environment: { COLOR: 'red' } }),
          aFunction('Blue', {
            handlerFile: bundle('env-reader'),
            environment: { COLOR: 'blue' },
            memoryMb: 512,
          }),
        ],
        { AWS_SESSION_TOKEN: 'a-real-session-token' },
      );
      const [red, blue] = await Promise.all([runtime.invoke('Red', {}), runtime.invoke('Blue', {})]);
      expect(payloadOf(red)).toMatchObject({ color: 'red', functionName: 'Red', memorySize: '256' });
      expect(payloadOf(blue)).toMatchObject({ color: 'blue', functionName: 'Blue', memorySize: '512' });
      expect(payloadOf(red).threadId).not.toBe(payloadOf(blue).threadId);
      expect(payloadOf(red)).toMatchObject({
        version: '$LATEST',
        region: 'eu-west-1',
        profile: null,
        sessionToken: null,
        executionEnv: null,
      });
    } finally {
      if (previousProfile === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = previousProfile;
    }
  });

  it('cold-starts on the first invocation, logs it once, and reuses the warm environment after', async () => {
    const { runtime, logs, invocations } = startRuntime([aFunction('sleeper')]);
    const first = payloadOf(await runtime.invoke('sleeper', {}));
    const second = payloadOf(await runtime.invoke('sleeper', {}));

    expect(second.threadId).toBe(first.threadId);
    const ends = invocations.filter((event) => event.type === 'end');
    expect(ends.map((event) => event.cold)).toEqual([true, false]);
    expect(ends[0]?.initDurationMs).toBeGreaterThan(0);
    expect(ends[1]?.initDurationMs).toBeUndefined();
    expect(
      logs.filter((entry) => entry.message.startsWith('Cold start')).map((entry) => entry.level),
    ).toEqual(['DEBUG']);
    expect(runtime.stats()).toEqual([
      expect.objectContaining({
        functionName: 'sleeper',
        environments: 1,
        busy: 0,
        invocations: 2,
        coldStarts: 1,
      }),
    ]);
  });

  it('passes the event as JSON and a Lambda context, and returns the result as JSON', async () => {
    const { runtime } = startRuntime([aFunction('context', { timeoutSeconds: 3, memoryMb: 128 })]);
    const event = { orderId: 'ord_1', placedAt: new Date('2025-03-01T10:00:00.000Z'), ignored: undefined };
    const payload = payloadOf(await runtime.invoke('context', event));

    expect(payload.event).toEqual({ orderId: 'ord_1', placedAt: '2025-03-01T10:00:00.000Z' });
    expect(payload).toMatchObject({
      functionName: 'context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:context',
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/context',
      callbackWaitsForEmptyEventLoop: true,
      returnedAt: '1970-01-01T00:00:00.000Z',
    });
    expect(payload.awsRequestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(payload.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(payload.remainingTimeInMillis).toBeGreaterThan(2_000);
    expect(payload.remainingTimeInMillis).toBeLessThanOrEqual(3_000);
  });

  it('reports a thrown error with its name as errorType, the way the Node.js runtime does', async () => {
    const { runtime, logs } = startRuntime([aFunction('declined')]);
    const declined = errorOf(await runtime.invoke('declined', {}));
    expect(declined).toMatchObject({ errorType: 'CardDeclinedError', errorMessage: 'The card was declined' });
    expect(declined.trace?.[0]).toBe('CardDeclinedError: The card was declined');
    // Like Lambda, a subclass that does not set `name` reports the name it inherits.
    expect(errorOf(await runtime.invoke('declined', { unnamed: true })).errorType).toBe('Error');

    const invokeErrors = logs.filter((entry) => entry.message.startsWith('Invoke Error'));
    expect(invokeErrors[0]).toMatchObject({ source: 'declined', level: 'ERROR' });
    expect(runtime.stats()[0]).toMatchObject({ invocations: 2, errors: 2, coldStarts: 1 });
  });

  it('times out a handler that runs past its timeout, and cold-starts a fresh environment next time', async () => {
    const { runtime, invocations } = startRuntime([aFunction('sleeper', { timeoutSeconds: 0.3 })]);
    const warm = payloadOf(await runtime.invoke('sleeper', {}));
    const started = Date.now();
    const timedOut = errorOf(await runtime.invoke('sleeper', { sleepMs: 10_000 }));

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(timedOut.errorType).toBe('Sandbox.Timedout');
    expect(timedOut.errorMessage).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.30 seconds$/,
    );
    const next = payloadOf(await runtime.invoke('sleeper', {}));
    expect(next.threadId).not.toBe(warm.threadId);
    expect(invocations.filter((event) => event.type === 'end').map((event) => event.cold)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it.each([
    {
      what: 'process.exit(1)',
      crash: 'exit',
      errorType: 'Runtime.ExitError',
      errorMessage: /^RequestId: \S+ Error: Runtime exited with error: exit status 1$/,
    },
    {
      what: 'an unhandled rejection',
      crash: 'rejection',
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: /^Error: nobody awaits this$/,
    },
    {
      what: 'an uncaught exception',
      crash: 'uncaught',
      errorType: 'TypeError',
      errorMessage: /^thrown from a timer$/,
    },
  ])(
    'turns $what in a handler into $errorType, keeps the process alive and starts afresh',
    async ({ crash, errorType, errorMessage }) => {
      const { runtime } = startRuntime([aFunction('crashing')]);
      const before = payloadOf(await runtime.invoke('crashing', {}));
      const error = errorOf(await runtime.invoke('crashing', { crash }));
      expect(error.errorType).toBe(errorType);
      expect(error.errorMessage).toMatch(errorMessage);

      const after = payloadOf(await runtime.invoke('crashing', {}));
      expect(after.threadId).not.toBe(before.threadId);
      expect(runtime.stats()[0]).toMatchObject({ environments: 1, coldStarts: 2 });
    },
  );

  it('reports Runtime.OutOfMemory for a handler that outgrows its memory size, and keeps the process alive', async () => {
    const { runtime } = startRuntime([aFunction('memory-hog', { memoryMb: 64 })]);
    const error = errorOf(await runtime.invoke('memory-hog', {}));
    expect(error).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringMatching(
        /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/,
      ),
    });
    expect(runtime.stats()[0]).toMatchObject({ environments: 0, errors: 1 });
  });

  it('runs concurrent invocations in parallel up to maxConcurrency and queues the rest', async () => {
    const { runtime, invocations } = startRuntime([aFunction('sleeper', { maxConcurrency: 2 })]);
    let running = 0;
    let mostAtOnce = 0;
    runtime.onInvocation((event) => {
      running += event.type === 'start' ? 1 : -1;
      mostAtOnce = Math.max(mostAtOnce, running);
    });
    const calls = Array.from({ length: 5 }, () => runtime.invoke('sleeper', { sleepMs: 150 }));
    await waitFor(() => runtime.stats()[0]?.queued === 3, 'three queued invocations');
    const results = (await Promise.all(calls)).map((result) => payloadOf(result));

    expect(mostAtOnce).toBe(2);
    expect(new Set(results.map((result) => result.threadId)).size).toBe(2);
    expect(invocations.filter((event) => event.type === 'end' && event.cold)).toHaveLength(2);
    expect(runtime.stats()[0]).toMatchObject({ environments: 2, busy: 0, queued: 0, invocations: 5 });
  });

  it('sends JSON log lines to the log sink with their level and correlation id, and plain lines as text', async () => {
    const { runtime, logs } = startRuntime([aFunction('logging')], { POWERTOOLS_LOG_LEVEL: 'INFO' });
    expect(payloadOf<string>(await runtime.invoke('logging', { correlationId: 'corr-42' }))).toBe('logged');

    const fromFunction = () => logs.filter((entry) => entry.source === 'logging' && entry.level !== 'DEBUG');
    await waitFor(() => fromFunction().length === 5, 'five log lines');
    expect(fromFunction()).toEqual(
      expect.arrayContaining([
        {
          source: 'logging',
          level: 'INFO',
          message: 'Order placed',
          correlationId: 'corr-42',
          fields: { service: 'orders', orderId: 'ord_1' },
          time: '2025-03-01T10:00:00.000Z',
        },
        expect.objectContaining({ level: 'WARN', message: 'Stock is low', correlationId: 'corr-42' }),
        expect.objectContaining({ level: 'INFO', message: 'a plain line' }),
        expect.objectContaining({ level: 'INFO', message: 'and another' }),
        expect.objectContaining({ level: 'ERROR', message: 'a plain error line' }),
      ]),
    );
  });

  it('reports an init failure as Lambda does and retries the init on the next invocation', async () => {
    const { runtime } = startRuntime([aFunction('broken-init'), aFunction('no-handler')]);
    for (const attempt of [1, 2]) {
      const error = errorOf(await runtime.invoke('broken-init', { attempt }));
      expect(error).toMatchObject({
        errorType: 'ConfigurationError',
        errorMessage: 'Missing required environment variable(s): REQUIRED_SETTING',
      });
    }
    expect(runtime.stats()[0]).toMatchObject({ coldStarts: 2, environments: 0 });
    expect(errorOf(await runtime.invoke('no-handler', {}))).toEqual({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.handler is undefined or not exported',
    });
  });

  it('answers ResourceNotFoundException for a function it does not know', async () => {
    const { runtime } = startRuntime([]);
    expect(errorOf(await runtime.invoke('Nowhere', {}))).toEqual({
      errorType: 'ResourceNotFoundException',
      errorMessage: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:Nowhere',
    });
  });

  it('stops every environment, failing what still runs or waits, and refuses invocations after', async () => {
    const { runtime } = startRuntime([aFunction('sleeper', { maxConcurrency: 1 })]);
    const running = runtime.invoke('sleeper', { sleepMs: 10_000 });
    const waiting = runtime.invoke('sleeper', {});
    await waitFor(() => runtime.stats()[0]?.queued === 1, 'a queued invocation');
    const started = Date.now();
    await runtime.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errorOf(await running).errorType).toBe('Runtime.ExitError');
    expect(errorOf(await waiting).errorType).toBe('Runtime.ExitError');
    expect(errorOf(await runtime.invoke('sleeper', {})).errorType).toBe('Runtime.ExitError');
    expect(runtime.stats()[0]).toMatchObject({ environments: 0, busy: 0, queued: 0 });
  });
});
