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
  return new WorkerEnvironment(options);
}

interface RunningInvocation {
  requestId: string;
  settle(result: InvokeResult): void;
}

class WorkerEnvironment implements ExecutionEnvironment {
  readonly ready: Promise<LambdaError | undefined>;
  readonly #options: EnvironmentOptions;
  readonly #worker: Worker;
  #alive = true;
  #initializing = true;
  #settleInit: (error: LambdaError | undefined) => void = () => undefined;
  #running: RunningInvocation | undefined;
  #workerError: Error | undefined;

  constructor(options: EnvironmentOptions) {
    this.#options = options;
    const { functionName } = options.context;
    this.#worker = new Worker(workerFile, {
      name: `lambda:${functionName}`,
      workerData: options.setup,
      env: options.env,
      stdout: true,
      stderr: true,
      // The nearest thing to Lambda's memory setting a thread has: its heap runs out near the limit.
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    forEachLine(this.#worker.stdout, (line) => options.log(parseLogLine(functionName, line, 'INFO')));
    forEachLine(this.#worker.stderr, (line) => options.log(parseLogLine(functionName, line, 'ERROR')));
    this.ready = new Promise<LambdaError | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.#settleInit({
          errorType: 'Sandbox.Timedout',
          errorMessage: `Init phase timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`,
        });
        this.#end();
      }, initTimeoutMs);
      this.#settleInit = (error) => {
        clearTimeout(timer);
        this.#initializing = false;
        resolve(error);
      };
    });
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    // Errors the worker's own handlers did not catch, such as running out of heap. Without a listener
    // an 'error' event would crash the local cloud.
    this.#worker.on('error', (error) => {
      this.#workerError = error;
    });
    this.#worker.on('exit', (code) => this.#onExit(code));
  }

  get alive(): boolean {
    return this.#alive;
  }

  invoke(requestId: string, eventJson: string): Promise<InvokeResult> {
    if (!this.#alive) {
      return Promise.resolve({
        ok: false,
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${requestId} Error: Runtime exited`,
        },
      });
    }
    const { timeoutSeconds } = this.#options;
    const timeoutMs = timeoutSeconds * 1000;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#fail({
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
        });
        // Lambda freezes and discards a timed-out environment: whatever the handler still does
        // must not leak into the next invocation.
        this.#end();
      }, timeoutMs);
      this.#running = {
        requestId,
        settle: (result) => {
          clearTimeout(timer);
          this.#running = undefined;
          resolve(result);
        },
      };
      const message: InvokeMessage = {
        type: 'invoke',
        requestId,
        eventJson,
        deadline: Date.now() + timeoutMs,
        context: this.#options.context,
      };
      this.#worker.postMessage(message);
    });
  }

  async terminate(reason: LambdaError): Promise<void> {
    this.#alive = false;
    if (this.#initializing) this.#settleInit(reason);
    this.#fail(reason);
    await this.#worker.terminate();
  }

  #end(): void {
    this.#alive = false;
    void this.#worker.terminate();
  }

  #fail(error: LambdaError): void {
    this.#running?.settle({ ok: false, error });
  }

  #onMessage(message: WorkerMessage): void {
    const running = this.#running;
    switch (message.type) {
      case 'ready':
        this.#settleInit(undefined);
        return;
      case 'init-error':
        this.#settleInit(message.error);
        this.#end();
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
        this.#alive = false;
        if (running) this.#fail(message.error);
        else if (this.#initializing) this.#settleInit(message.error);
        else {
          this.#options.log({
            source: this.#options.context.functionName,
            level: 'ERROR',
            message: `The execution environment crashed between invocations: ${message.error.errorType}: ${message.error.errorMessage}`,
            time: new Date().toISOString(),
          });
        }
        return;
    }
  }

  #onExit(code: number): void {
    this.#alive = false;
    const outOfMemory =
      (this.#workerError as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
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
    if (this.#initializing) this.#settleInit(exitError());
    if (this.#running) this.#fail(exitError(this.#running.requestId));
    this.#options.onExit();
  }
}
