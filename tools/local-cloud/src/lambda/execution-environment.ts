import { Worker } from 'node:worker_threads';
import type { InvokeResult, LogEntry } from '../contracts.ts';
import { forEachLine, parseLogLine } from './function-logs.ts';
import type {
  EnvironmentContext,
  InvokeMessage,
  LambdaError,
  WorkerMessage,
  WorkerSetup,
} from './worker-protocol.ts';

/**
 * One execution environment of one function: a worker thread with its own process.env and module
 * graph, which loads the handler once and then runs one invocation at a time. It never throws into
 * its caller: whatever happens in the function becomes an InvokeResult, the way Lambda reports it.
 */
export interface ExecutionEnvironment {
  /** Settles when the handler module has loaded: undefined, or the init error Lambda would report. */
  readonly ready: Promise<LambdaError | undefined>;
  /** False once the environment can run no more invocations (crashed, timed out, terminated). */
  readonly alive: boolean;
  invoke(requestId: string, eventJson: string): Promise<InvokeResult>;
  /** Ends the environment; an invocation still running gets `reason` as its error. */
  terminate(reason: LambdaError): Promise<void>;
}

export interface EnvironmentOptions {
  setup: WorkerSetup;
  context: EnvironmentContext;
  env: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  log: (entry: LogEntry) => void;
  onExit: () => void;
}

const workerFile = new URL('./lambda-worker.ts', import.meta.url);

/** Lambda's limit on the init phase of an on-demand function. */
const initTimeoutMs = 10_000;

export function startEnvironment(options: EnvironmentOptions): ExecutionEnvironment {
  const { functionName } = options.context;
  const worker = new Worker(workerFile, {
    name: `lambda:${functionName}`,
    workerData: options.setup,
    env: options.env,
    stdout: true,
    stderr: true,
    // The nearest thing to Lambda's memory setting a thread has: its heap runs out near the limit.
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
  });
  forEachLine(worker.stdout, (line) => options.log(parseLogLine(functionName, line, 'INFO')));
  forEachLine(worker.stderr, (line) => options.log(parseLogLine(functionName, line, 'ERROR')));

  let alive = true;
  const end = () => {
    alive = false;
    void worker.terminate();
  };
  let workerError: Error | undefined;
  let running: { requestId: string; settle: (result: InvokeResult) => void } | undefined;

  let initializing = true;
  let settleInit: (error: LambdaError | undefined) => void = () => undefined;
  const ready = new Promise<LambdaError | undefined>((resolve) => {
    const timer = setTimeout(() => {
      settleInit({
        errorType: 'Sandbox.Timedout',
        errorMessage: `Init phase timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`,
      });
      end();
    }, initTimeoutMs);
    settleInit = (error) => {
      clearTimeout(timer);
      initializing = false;
      resolve(error);
    };
  });

  const fail = (error: LambdaError) => running?.settle({ ok: false, error });

  worker.on('message', (message: WorkerMessage) => {
    switch (message.type) {
      case 'ready':
        settleInit(undefined);
        return;
      case 'init-error':
        settleInit(message.error);
        end();
        return;
      case 'result':
        if (running?.requestId === message.requestId) {
          running.settle({ ok: true, payload: JSON.parse(message.payloadJson) });
        }
        return;
      case 'error':
        if (running?.requestId === message.requestId) running.settle({ ok: false, error: message.error });
        return;
      case 'crash':
        // The worker exits right after this message; it must not be handed another invocation.
        alive = false;
        if (running) fail(message.error);
        else if (initializing) settleInit(message.error);
        else {
          options.log({
            source: functionName,
            level: 'ERROR',
            message: `The execution environment crashed between invocations: ${message.error.errorType}: ${message.error.errorMessage}`,
            time: new Date().toISOString(),
          });
        }
        return;
    }
  });
  // Errors the worker's own handlers did not catch, such as running out of heap. Without a listener
  // an 'error' event would crash the local cloud.
  worker.on('error', (error) => {
    workerError = error;
  });
  worker.on('exit', (code) => {
    alive = false;
    const outOfMemory = (workerError as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const prefix = (requestId?: string) => (requestId ? `RequestId: ${requestId} ` : '');
    const exitError = (requestId?: string): LambdaError =>
      outOfMemory
        ? {
            errorType: 'Runtime.OutOfMemory',
            errorMessage: `${prefix(requestId)}Error: Runtime exited with error: signal: killed`,
          }
        : {
            errorType: 'Runtime.ExitError',
            errorMessage: `${prefix(requestId)}Error: Runtime exited with error: exit status ${code}`,
          };
    if (initializing) settleInit(exitError());
    if (running) fail(exitError(running.requestId));
    options.onExit();
  });

  return {
    ready,
    get alive() {
      return alive;
    },
    invoke(requestId, eventJson) {
      if (!alive) {
        return Promise.resolve({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited`,
          },
        });
      }
      const timeoutMs = options.timeoutSeconds * 1000;
      return new Promise<InvokeResult>((resolve) => {
        const timer = setTimeout(() => {
          fail({
            errorType: 'Sandbox.Timedout',
            errorMessage: `RequestId: ${requestId} Error: Task timed out after ${options.timeoutSeconds.toFixed(2)} seconds`,
          });
          // Lambda freezes and discards a timed-out environment: whatever the handler still does
          // must not leak into the next invocation.
          end();
        }, timeoutMs);
        running = {
          requestId,
          settle: (result) => {
            clearTimeout(timer);
            running = undefined;
            resolve(result);
          },
        };
        const message: InvokeMessage = {
          type: 'invoke',
          requestId,
          eventJson,
          deadline: Date.now() + timeoutMs,
          context: options.context,
        };
        worker.postMessage(message);
      });
    },
    async terminate(reason) {
      alive = false;
      if (initializing) settleInit(reason);
      fail(reason);
      await worker.terminate();
    },
  };
}
