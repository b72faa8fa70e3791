/**
 * One Lambda execution environment: runs in its own worker thread, with its own process.env, loads
 * one handler bundle once (the cold start) and then runs one invocation at a time, like the Lambda
 * Node.js runtime. Errors are reported in that runtime's shape; an uncaught exception or unhandled
 * rejection ends the environment, as it does on Lambda.
 */
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { readSourceMapFrom } from './source-root.ts';
import type { InvokeMessage, LambdaError, WorkerMessage, WorkerSetup } from './worker-protocol.ts';

type Handler = (event: unknown, context: Context) => unknown;

if (!parentPort) throw new Error('lambda-worker.ts runs only as a worker thread');
const port = parentPort;
const setup = workerData as WorkerSetup;
const send = (message: WorkerMessage): void => port.postMessage(message);

let currentRequestId: string | undefined;

/** The Node.js runtime's error document: `name`, `message` and the stack split into lines. */
function toLambdaError(error: unknown): LambdaError {
  if (types.isNativeError(error) || looksLikeError(error)) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function looksLikeError(value: unknown): value is Error {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.message === 'string';
}

// Lambda's runtime reports these against the running invocation and then exits, so the next
// invocation gets a fresh environment. process.exit in a worker ends only this thread.
// The main thread logs the error, as Lambda's runtime does.
process.on('uncaughtException', (error) => crash(toLambdaError(error)));
process.on('unhandledRejection', (reason) => {
  const description = String(reason);
  crash({
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: description,
    trace: [`Runtime.UnhandledPromiseRejection: ${description}`, ...stackLines(reason)],
  });
});

function stackLines(reason: unknown): string[] {
  return types.isNativeError(reason) && reason.stack ? reason.stack.split('\n').slice(1) : [];
}

function crash(error: LambdaError): never {
  send(currentRequestId ? { type: 'crash', requestId: currentRequestId, error } : { type: 'crash', error });
  process.exit(129);
}

async function loadHandler(): Promise<Handler | LambdaError> {
  let module: Record<string, unknown>;
  if (setup.sourceMapUrl) readSourceMapFrom(setup.handlerFile, setup.sourceMapUrl);
  try {
    module = await import(pathToFileURL(setup.handlerFile).href);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      return { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: ${(error as Error).message}` };
    }
    if (error instanceof SyntaxError) {
      return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: `SyntaxError: ${error.message}` };
    }
    return toLambdaError(error);
  }
  const handler = module[setup.handlerExport];
  if (typeof handler !== 'function') {
    return {
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `index.${setup.handlerExport} is undefined or not exported`,
    };
  }
  return handler as Handler;
}

function contextFor(message: InvokeMessage): Context {
  return {
    ...message.context,
    awsRequestId: message.requestId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    // Deprecated since Node.js 8 and gone from the Node.js 24 runtime; present for the type only.
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  try {
    const result = await handler(JSON.parse(message.eventJson), contextFor(message));
    // Lambda serializes the result to JSON: undefined becomes null, Dates become strings.
    send({ type: 'result', requestId: message.requestId, payloadJson: JSON.stringify(result) ?? 'null' });
  } catch (error) {
    send({ type: 'error', requestId: message.requestId, error: toLambdaError(error) });
  } finally {
    currentRequestId = undefined;
  }
}

const loaded = await loadHandler();
if (typeof loaded === 'function') {
  port.on('message', (message: InvokeMessage) => void invoke(loaded, message));
  send({ type: 'ready' });
} else {
  send({ type: 'init-error', error: loaded });
}
