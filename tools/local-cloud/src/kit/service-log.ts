import type { LogEntry, LogSink } from '../contracts.ts';

export type LogLevel = LogEntry['level'];
export type LogFields = Record<string, unknown>;

/**
 * A local service's lines in the local cloud's log, each tagged with the service (its `source`)
 * and stamped with the time it was written.
 */
export interface ServiceLog {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * The same log for lines about one thing: written under another source (a state machine's or a
   * function's name) or carrying the correlation id of the request they concern.
   */
  with(context: { source?: string; correlationId?: string | undefined }): ServiceLog;
  /** An entry made elsewhere (a line a function wrote), kept to the same minimum level. */
  write(entry: LogEntry): void;
}

const SEVERITY: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function isAtLeast(level: LogLevel, minimum: LogLevel): boolean {
  return SEVERITY[level] >= SEVERITY[minimum];
}

/** Entries below `minimumLevel` (default: all of them pass) are dropped before the sink. */
export function serviceLog(
  sink: LogSink,
  source: string,
  options: { minimumLevel?: LogLevel } = {},
): ServiceLog {
  const minimumLevel = options.minimumLevel ?? 'DEBUG';
  const write = (entry: LogEntry) => {
    if (!isAtLeast(entry.level, minimumLevel)) return;
    try {
      sink(entry);
    } catch {
      // A failing log sink must not take a delivery, an execution or a request down with it.
    }
  };
  const logger = (context: { source: string; correlationId?: string | undefined }): ServiceLog => {
    const line = (level: LogLevel) => (message: string, fields?: LogFields) =>
      write({
        source: context.source,
        level,
        message,
        time: new Date().toISOString(),
        ...(context.correlationId === undefined ? {} : { correlationId: context.correlationId }),
        ...(fields === undefined ? {} : { fields }),
      });
    return {
      debug: line('DEBUG'),
      info: line('INFO'),
      warn: line('WARN'),
      error: line('ERROR'),
      with: (more) => logger({ ...context, ...more }),
      write,
    };
  };
  return logger({ source });
}

/** An error as a log line says it: its message, or the value itself. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
