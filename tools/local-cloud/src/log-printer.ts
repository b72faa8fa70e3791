import type { LogEntry, LogSink } from './contracts.ts';

const COLORS = { DEBUG: '\x1b[90m', INFO: '\x1b[36m', WARN: '\x1b[33m', ERROR: '\x1b[31m' } as const;
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/**
 * Prints the local cloud's log: by default one readable line per entry with the time, level,
 * function and correlation id, so one request can be followed across functions; with `json`, each
 * entry as one JSON object (for piping into jq or a log tool).
 */
export function createLogPrinter(options: {
  json: boolean;
  color: boolean;
  minimumLevel?: LogEntry['level'];
  write?: (line: string) => void;
}): LogSink {
  const levels = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
  const minimum = levels.indexOf(options.minimumLevel ?? 'INFO');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (entry) => {
    if (levels.indexOf(entry.level) < minimum) return;
    if (options.json) {
      write(JSON.stringify(entry));
      return;
    }
    write(formatEntry(entry, options.color));
  };
}

/** Keys Powertools adds to every line: the readable format already shows the function and level. */
const CONTEXT_KEYS = new Set([
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'service',
  'xray_trace_id',
  'timestamp',
  'level',
  'message',
  'correlation_id',
]);

export function formatEntry(entry: LogEntry, color: boolean): string {
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  const time = entry.time.slice(11, 23);
  const level = paint(COLORS[entry.level], entry.level.padEnd(5));
  const correlation = entry.correlationId ? ` ${paint(DIM, `[${entry.correlationId.slice(0, 12)}]`)}` : '';
  const shown = Object.entries(entry.fields ?? {}).filter(([key]) => !CONTEXT_KEYS.has(key));
  const fields = shown.length > 0 ? ` ${paint(DIM, JSON.stringify(Object.fromEntries(shown)))}` : '';
  return `${paint(DIM, time)} ${level} ${entry.source}${correlation} ${entry.message}${fields}`;
}
