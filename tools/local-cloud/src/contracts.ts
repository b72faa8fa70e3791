/**
 * What a local service shares with whoever runs it (the local cloud, or a test run's global setup):
 * where it logs, how it is reached and stopped, and how it invokes the functions it runs.
 */

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

/** What a Lambda invocation returns, the way Lambda reports it to its caller. */
export type InvokeResult =
  | { ok: true; payload: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] } };

/** Invokes a local function by its name (the template's logical id, e.g. `ReadUserFunction`). */
export interface LambdaInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeResult>;
}
