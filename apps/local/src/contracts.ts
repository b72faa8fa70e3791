/**
 * The seams between the parts of the local cloud. Each part (Lambda runtime, event source mappings,
 * Step Functions, EventBridge, API Gateway) depends on these interfaces only, so it can be built and
 * tested alone, and the wiring in cloud.ts connects them from the synthesized template.
 */

/** What a Lambda invocation returns, the way Lambda reports it to its caller. */
export type InvokeResult =
  | { ok: true; payload: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] } };

/** Invokes a local function by its name (the template's logical id, e.g. `PlaceOrderFunction`). */
export interface LambdaInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeResult>;
}

/** One line of the local cloud's log: a function's own JSON log entry, or the cloud's own message. */
export interface LogEntry {
  source: string;
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  correlationId?: string;
  fields?: Record<string, unknown>;
  time: string;
}

export type LogSink = (entry: LogEntry) => void;

/** Something that serves one AWS API protocol on a local endpoint. */
export interface LocalService {
  /** `http://127.0.0.1:<port>` once started. */
  readonly endpoint: string;
  stop(): Promise<void>;
}
