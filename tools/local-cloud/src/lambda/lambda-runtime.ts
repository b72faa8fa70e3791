import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InvokeResult, LambdaInvoker, LogSink } from '../contracts.ts';
import { Listeners } from '../kit/listeners.ts';
import { describeError, type LogLevel, type ServiceLog, serviceLog } from '../kit/service-log.ts';
import { FunctionPool, type FunctionStats, type LambdaFunctionConfig } from './function-pool.ts';

export type { FunctionStats, LambdaFunctionConfig } from './function-pool.ts';
export { functionEnvironment } from './function-pool.ts';

/**
 * The local Lambda service: runs each function's built bundle, unmodified, in execution environments
 * of its own (worker threads), created on the first invocation, kept warm and reused, one
 * invocation at a time each, like Lambda.
 */
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

/** A function given new code (`reloadCode`), for a live view. */
export interface CodeReloadEvent {
  functionName: string;
  handlerFile: string;
  time: string;
}

export interface LambdaRuntime extends LambdaInvoker {
  /** Returns a function that removes the listener. */
  onInvocation(listener: (event: InvocationEvent) => void): () => void;
  /**
   * Gives a function new code without restarting anything: its next invocations cold-start from the
   * bundle as it is now, in `codeDir` when given (same file name as before) or rebuilt where it was.
   * Idle environments end at once, busy ones once their invocation has returned on the old code.
   * Throws for an unknown function or a folder without the handler's file.
   */
  reloadCode(functionName: string, options?: { codeDir?: string }): void;
  /** Returns a function that removes the listener. */
  onCodeReload(listener: (event: CodeReloadEvent) => void): () => void;
  stats(): FunctionStats[];
  /** Terminates every environment; invocations still running or waiting get an error result. */
  stop(): Promise<void>;
}

const ACCOUNT_ID = '000000000000';

export function createLambdaRuntime(options: LambdaRuntimeOptions): LambdaRuntime {
  const log = serviceLog(options.log, 'lambda', { minimumLevel: options.logLevel ?? 'INFO' });
  const region = options.baseEnvironment.AWS_REGION ?? 'us-east-1';
  const listeners = new Listeners<InvocationEvent>((error) =>
    log.warn(`An invocation listener failed: ${describeError(error)}`),
  );
  const reloadListeners = new Listeners<CodeReloadEvent>((error) =>
    log.warn(`A code reload listener failed: ${describeError(error)}`),
  );
  const pools = new Map<string, FunctionPool>();
  let stopped = false;
  for (const config of options.functions) {
    if (pools.has(config.name)) throw new Error(`Function ${config.name} is defined twice`);
    const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${config.name}`;
    pools.set(
      config.name,
      new FunctionPool(config, { arn, baseEnvironment: options.baseEnvironment, log: log.write }),
    );
  }

  const runtime: RuntimeContext = { log, listeners, isStopped: () => stopped };

  return {
    invoke(functionName, event) {
      const pool = pools.get(functionName);
      if (!pool) {
        return Promise.resolve(
          failure(
            'ResourceNotFoundException',
            `Function not found: arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${functionName}`,
          ),
        );
      }
      return invokeIn(runtime, pool, event);
    },
    onInvocation: (listener) => listeners.add(listener),
    reloadCode(functionName, reloadOptions = {}) {
      const pool = pools.get(functionName);
      if (!pool) throw new Error(`Function not found: ${functionName}`);
      const current = pool.config.handlerFile;
      const handlerFile = reloadOptions.codeDir ? join(reloadOptions.codeDir, basename(current)) : current;
      if (!existsSync(handlerFile)) throw new Error(`No ${basename(current)} in ${reloadOptions.codeDir}`);
      pool.reload(handlerFile);
      log.with({ source: functionName }).debug(`New code: the next invocations load ${handlerFile}`);
      reloadListeners.emit({ functionName, handlerFile, time: now() });
    },
    onCodeReload: (listener) => reloadListeners.add(listener),
    stats: () => [...pools.values()].map((pool) => pool.stats()),
    async stop() {
      stopped = true;
      const reason = {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Error: Runtime exited: the local cloud is stopping',
      };
      await Promise.all([...pools.values()].map((pool) => pool.stop(reason)));
    },
  };
}

interface RuntimeContext {
  log: ServiceLog;
  listeners: Listeners<InvocationEvent>;
  isStopped(): boolean;
}

/** One invocation in an environment of the function's pool, logged and told to the listeners. */
async function invokeIn(runtime: RuntimeContext, pool: FunctionPool, event: unknown): Promise<InvokeResult> {
  const { log, listeners } = runtime;
  const requestId = randomUUID();
  const eventJson = serialize(event);
  if (eventJson === undefined) {
    return failure('InvalidRequestContentException', 'Could not serialize the event to JSON');
  }
  const lease = await pool.acquire(runtime.isStopped);
  if (!lease) return stoppedResult(requestId);
  const { environment, cold } = lease;
  const functionName = pool.config.name;
  const functionLog = log.with({ source: functionName });
  listeners.emit({ type: 'start', functionName, requestId, cold, time: now() });
  let initDurationMs: number | undefined;
  let result: InvokeResult;
  let started = performance.now();
  try {
    if (cold) {
      const initError = await environment.ready;
      initDurationMs = performance.now() - started;
      pool.coldStarts += 1;
      pool.lastInitDurationMs = initDurationMs;
      functionLog.debug(
        `Cold start: ${initDurationMs.toFixed(0)} ms to start an execution environment and load ${pool.config.handlerFile}`,
        { initDurationMs },
      );
      started = performance.now();
      result = initError ? { ok: false, error: initError } : await environment.invoke(requestId, eventJson);
    } else {
      result = await environment.invoke(requestId, eventJson);
    }
  } finally {
    pool.release(environment);
  }
  const durationMs = performance.now() - started;
  pool.invocations += 1;
  if (!result.ok) {
    pool.errors += 1;
    functionLog.error(`Invoke Error: ${result.error.errorType}: ${result.error.errorMessage}`, {
      requestId,
      ...result.error,
    });
  }
  listeners.emit({
    type: 'end',
    functionName,
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
