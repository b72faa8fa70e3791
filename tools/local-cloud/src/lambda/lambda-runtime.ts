import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { InvokeResult, LambdaInvoker, LogEntry, LogSink } from '../contracts.ts';
import { type ExecutionEnvironment, startEnvironment } from './execution-environment.ts';
import { isAtLeast, type LogLevel } from './function-logs.ts';
import type { EnvironmentContext } from './worker-protocol.ts';

/**
 * The local Lambda service: runs each function's built bundle, unmodified, in execution environments
 * of its own (worker threads), created on the first invocation, kept warm and reused, one
 * invocation at a time each, like Lambda.
 */
export interface LambdaFunctionConfig {
  /** The name callers invoke it by (the template's logical id). */
  name: string;
  /** Absolute path of the bundle, e.g. `apps/tickets/dist/open-ticket/index.mjs`. */
  handlerFile: string;
  handlerExport: string;
  /** The function's own variables, from the template. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** Environments running at once; more invocations wait for one. Default 10. */
  maxConcurrency?: number;
}

export interface LambdaRuntimeOptions {
  functions: LambdaFunctionConfig[];
  /** What every function sees under its own variables: AWS_REGION, dummy credentials, endpoints. */
  baseEnvironment: Record<string, string>;
  log: LogSink;
  /** The lowest level passed to `log`. Default INFO. */
  logLevel?: LogLevel;
}

/** An invocation starting or ending, for a live view. */
export type InvocationEvent =
  | { type: 'start'; functionName: string; requestId: string; cold: boolean; time: string }
  | {
      type: 'end';
      functionName: string;
      requestId: string;
      cold: boolean;
      /** The handler's own run time, without the cold start. */
      durationMs: number;
      /** Creating the environment and loading the bundle, on a cold start. */
      initDurationMs?: number;
      ok: boolean;
      errorType?: string;
      time: string;
    };

export interface FunctionStats {
  functionName: string;
  environments: number;
  busy: number;
  queued: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  lastInitDurationMs?: number;
}

export interface LambdaRuntime extends LambdaInvoker {
  /** Returns a function that removes the listener. */
  onInvocation(listener: (event: InvocationEvent) => void): () => void;
  stats(): FunctionStats[];
  /** Terminates every environment; invocations still running or waiting get an error result. */
  stop(): Promise<void>;
}

const defaultMaxConcurrency = 10;
const accountId = '000000000000';

// Variables of the developer's shell a function may need to run at all. Nothing else is inherited:
// AWS_PROFILE, real keys or a session token must never reach a function (docs/local-cloud.md).
const inheritedVariables = ['PATH', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'TZ', 'SYSTEMROOT'];
const forbiddenVariables = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN'];

interface FunctionPool {
  config: LambdaFunctionConfig;
  maxConcurrency: number;
  arn: string;
  live: Set<ExecutionEnvironment>;
  idle: ExecutionEnvironment[];
  waiting: (() => void)[];
  invocations: number;
  errors: number;
  coldStarts: number;
  lastInitDurationMs?: number;
}

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const minimumLevel = options.logLevel ?? 'INFO';
  const log = (entry: LogEntry) => {
    if (isAtLeast(entry.level, minimumLevel)) options.log(entry);
  };
  const region = options.baseEnvironment.AWS_REGION ?? 'us-east-1';
  const listeners = new Set<(event: InvocationEvent) => void>();
  const pools = new Map<string, FunctionPool>();
  let stopped = false;

  for (const config of options.functions) {
    if (pools.has(config.name)) throw new Error(`Function ${config.name} is defined twice`);
    if (!(config.timeoutSeconds > 0)) throw new Error(`Function ${config.name} needs a positive timeout`);
    pools.set(config.name, {
      config,
      maxConcurrency: config.maxConcurrency ?? defaultMaxConcurrency,
      arn: `arn:aws:lambda:${region}:${accountId}:function:${config.name}`,
      live: new Set(),
      idle: [],
      waiting: [],
      invocations: 0,
      errors: 0,
      coldStarts: 0,
    });
  }

  const emit = (event: InvocationEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        log({
          source: 'lambda',
          level: 'WARN',
          message: `An invocation listener failed: ${error}`,
          time: now(),
        });
      }
    }
  };

  function startFor(pool: FunctionPool): ExecutionEnvironment {
    const { config } = pool;
    const logStreamName = `${now().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;
    const context: EnvironmentContext = {
      functionName: config.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: pool.arn,
      memoryLimitInMB: String(config.memoryMb),
      logGroupName: `/aws/lambda/${config.name}`,
      logStreamName,
    };
    const environment: ExecutionEnvironment = startEnvironment({
      setup: { handlerFile: config.handlerFile, handlerExport: config.handlerExport },
      context,
      env: functionEnvironment(config, context, options.baseEnvironment),
      timeoutSeconds: config.timeoutSeconds,
      memoryMb: config.memoryMb,
      log,
      onExit: () => {
        pool.live.delete(environment);
        const index = pool.idle.indexOf(environment);
        if (index >= 0) pool.idle.splice(index, 1);
        // Room for a new environment: let a waiting invocation start one.
        pool.waiting.shift()?.();
      },
    });
    pool.live.add(environment);
    return environment;
  }

  /**
   * A warm environment, else a new one (a cold start) while under maxConcurrency, else waits for
   * either. Undefined once the runtime is stopped.
   */
  async function acquire(
    pool: FunctionPool,
  ): Promise<{ environment: ExecutionEnvironment; cold: boolean } | undefined> {
    while (!stopped) {
      const warm = pool.idle.pop();
      if (warm) {
        if (warm.alive) return { environment: warm, cold: false };
        continue;
      }
      if (pool.live.size < pool.maxConcurrency) return { environment: startFor(pool), cold: true };
      await new Promise<void>((resolve) => pool.waiting.push(resolve));
    }
    return undefined;
  }

  function release(pool: FunctionPool, environment: ExecutionEnvironment): void {
    if (environment.alive) pool.idle.push(environment);
    else pool.live.delete(environment);
    pool.waiting.shift()?.();
  }

  async function run(pool: FunctionPool, event: unknown): Promise<InvokeResult> {
    const requestId = randomUUID();
    const eventJson = serialize(event);
    if (eventJson === undefined) {
      return failure('InvalidRequestContentException', 'Could not serialize the event to JSON');
    }
    const lease = await acquire(pool);
    if (!lease) return stoppedResult(requestId);
    const { environment, cold } = lease;
    const source = pool.config.name;
    emit({ type: 'start', functionName: source, requestId, cold, time: now() });
    let initDurationMs: number | undefined;
    let result: InvokeResult;
    let started = performance.now();
    try {
      if (cold) {
        const initError = await environment.ready;
        initDurationMs = performance.now() - started;
        pool.coldStarts += 1;
        pool.lastInitDurationMs = initDurationMs;
        log({
          source,
          level: 'DEBUG',
          message: `Cold start: ${initDurationMs.toFixed(0)} ms to start an execution environment and load ${pool.config.handlerFile}`,
          fields: { initDurationMs },
          time: now(),
        });
        started = performance.now();
        result = initError ? { ok: false, error: initError } : await environment.invoke(requestId, eventJson);
      } else {
        result = await environment.invoke(requestId, eventJson);
      }
    } finally {
      release(pool, environment);
    }
    const durationMs = performance.now() - started;
    pool.invocations += 1;
    if (!result.ok) {
      pool.errors += 1;
      log({
        source,
        level: 'ERROR',
        message: `Invoke Error: ${result.error.errorType}: ${result.error.errorMessage}`,
        fields: { requestId, ...result.error },
        time: now(),
      });
    }
    emit({
      type: 'end',
      functionName: source,
      requestId,
      cold,
      durationMs,
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
      ok: result.ok,
      ...(result.ok ? {} : { errorType: result.error.errorType }),
      time: now(),
    });
    return result;
  }

  return {
    invoke(functionName, event) {
      const pool = pools.get(functionName);
      if (!pool) {
        return Promise.resolve(
          failure(
            'ResourceNotFoundException',
            `Function not found: arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
          ),
        );
      }
      return run(pool, event);
    },
    onInvocation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats() {
      return [...pools.values()].map((pool) => ({
        functionName: pool.config.name,
        environments: pool.live.size,
        busy: pool.live.size - pool.idle.length,
        queued: pool.waiting.length,
        invocations: pool.invocations,
        errors: pool.errors,
        coldStarts: pool.coldStarts,
        ...(pool.lastInitDurationMs === undefined ? {} : { lastInitDurationMs: pool.lastInitDurationMs }),
      }));
    },
    async stop() {
      stopped = true;
      const terminations: Promise<void>[] = [];
      for (const pool of pools.values()) {
        for (const wake of pool.waiting.splice(0)) wake();
        for (const environment of pool.live) {
          terminations.push(
            environment.terminate({
              errorType: 'Runtime.ExitError',
              errorMessage: 'Error: Runtime exited: the local cloud is stopping',
            }),
          );
        }
        pool.idle.length = 0;
      }
      await Promise.all(terminations);
    },
  };
}

/**
 * What a function's module scope sees in process.env: the shared local settings, its own variables
 * from the template, and the variables Lambda sets. AWS_EXECUTION_ENV (`AWS_Lambda_nodejs24.x` on
 * Lambda) is left out: the SDK and Powertools only put it in their user agents, and this runtime is
 * not Lambda's.
 */
export function functionEnvironment(
  config: LambdaFunctionConfig,
  context: EnvironmentContext,
  baseEnvironment: Record<string, string>,
): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of inheritedVariables) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  const env: Record<string, string> = {
    ...inherited,
    // An AWS service the local cloud does not serve gets an endpoint that refuses at once, never
    // AWS itself; the services it does serve override this with AWS_ENDPOINT_URL_<SERVICE>.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...baseEnvironment,
    ...config.environment,
    AWS_LAMBDA_FUNCTION_NAME: config.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: context.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: context.logStreamName,
    LAMBDA_TASK_ROOT: dirname(config.handlerFile),
    _HANDLER: `index.${config.handlerExport}`,
  };
  if (env.AWS_REGION && !env.AWS_DEFAULT_REGION) env.AWS_DEFAULT_REGION = env.AWS_REGION;
  for (const name of forbiddenVariables) delete env[name];
  return env;
}

const now = () => new Date().toISOString();

const failure = (errorType: string, errorMessage: string): InvokeResult => ({
  ok: false,
  error: { errorType, errorMessage },
});

const stoppedResult = (requestId: string): InvokeResult =>
  failure('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited: the local cloud is stopping`);

function serialize(event: unknown): string | undefined {
  try {
    return JSON.stringify(event) ?? '{}';
  } catch {
    return undefined;
  }
}
