/**
 * What a local service shares with whoever runs it (the local cloud, or a test run's global setup):
 * where it logs, and how it is reached and stopped.
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
