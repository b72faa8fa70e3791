import type { Readable } from 'node:stream';
import type { LogEntry } from '../contracts.ts';
import type { LogLevel } from '../kit/service-log.ts';

/**
 * Turns what a function writes to stdout and stderr into log entries, as CloudWatch Logs would
 * show them: Powertools Logger writes one JSON object per line, anything else is plain text.
 */

/** Calls `onLine` for every non-blank line of a stream, the last one even without a newline. */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  const emit = (line: string) => {
    const trimmed = line.replace(/\r$/, '');
    if (trimmed.trim() !== '') onLine(trimmed);
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  stream.on('end', () => {
    emit(pending);
    pending = '';
  });
  // A worker's stream can only fail when the worker is torn down; what it wrote before is all there
  // is, and an unhandled 'error' event would take the whole local cloud down.
  stream.on('error', () => undefined);
}

// Powertools writes TRACE and CRITICAL too; the local cloud's log has four levels.
const levelNames: Record<string, LogLevel> = {
  TRACE: 'DEBUG',
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARN: 'WARN',
  WARNING: 'WARN',
  ERROR: 'ERROR',
  CRITICAL: 'ERROR',
  FATAL: 'ERROR',
};

/** One line a function wrote, as a log entry; `streamLevel` is the level of a line that names none. */
export function parseLogLine(source: string, line: string, streamLevel: LogLevel): LogEntry {
  const json = parseJsonObject(line);
  if (!json) return { source, level: streamLevel, message: line, time: new Date().toISOString() };

  const { level, message, timestamp, correlation_id: correlationId, ...fields } = json;
  // An Embedded Metric Format document (Powertools Metrics) is a metric on AWS, not a log line.
  const isMetrics = '_aws' in json && level === undefined;
  const entry: LogEntry = {
    source,
    level: isMetrics ? 'DEBUG' : (levelNames[String(level).toUpperCase()] ?? streamLevel),
    message: typeof message === 'string' ? message : isMetrics ? 'metrics' : line,
    time: typeof timestamp === 'string' ? timestamp : new Date().toISOString(),
  };
  if (typeof correlationId === 'string') entry.correlationId = correlationId;
  if (Object.keys(fields).length > 0) entry.fields = fields;
  return entry;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
