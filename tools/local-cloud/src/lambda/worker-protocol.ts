/**
 * Messages between the local Lambda runtime (main thread) and one execution environment (a worker
 * thread). Types only: the worker loads with Node's own type stripping, outside any bundler, so it
 * must import nothing but types from the rest of the local cloud (and source-root.ts, which imports
 * only Node's built-ins).
 */

/** What Lambda reports for a failed invocation (the Node.js runtime's error document). */
export interface LambdaError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

/** Given to the worker at start: what it loads. */
export interface WorkerSetup {
  handlerFile: string;
  handlerExport: string;
  /** The bundle's source map, rooted where its sources are, when its own root leads elsewhere. */
  sourceMapUrl?: string;
}

/** The parts of the Lambda context that do not change within one execution environment. */
export interface EnvironmentContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as Lambda delivers it: JSON, parsed in the worker. */
  eventJson: string;
  /** Epoch milliseconds at which the invocation times out, for getRemainingTimeInMillis(). */
  deadline: number;
  context: EnvironmentContext;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: LambdaError }
  | { type: 'result'; requestId: string; payloadJson: string }
  | { type: 'error'; requestId: string; error: LambdaError }
  /** The worker is about to exit: an uncaught exception or unhandled rejection, as Lambda's runtime does. */
  | { type: 'crash'; requestId?: string; error: LambdaError };
