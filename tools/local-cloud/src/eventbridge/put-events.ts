import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../kit/json-protocol-server.ts';
import type { EventBus } from './rules.ts';

/**
 * PutEvents as EventBridge checks it: a request over its limits is refused as a whole (HTTP 400
 * `ValidationException`); an entry it cannot take is reported in its place in the answer, and the
 * others are turned into the events the rules see.
 */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  /** Set on an event a replay sends again: the replay's name (rules may match on it). */
  'replay-name'?: string;
}

/** A PutEvents entry as the SDK sends it (`Time` in epoch seconds on the wire, a Date in process). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | number;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

const MAX_ENTRIES = 10;
// The PutEvents quota: the entries of one request, sized as AWS documents, must fit in 256 KB.
const MAX_REQUEST_BYTES = 256 * 1024;

const invalidRequest = (message: string) => new AwsApiError('ValidationException', message);

function validatePutEventsRequest(entries: unknown): asserts entries is PutEventsEntry[] {
  if (!Array.isArray(entries)) {
    throw invalidRequest(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    const constraint =
      entries.length < 1
        ? 'have length greater than or equal to 1'
        : `have length less than or equal to ${MAX_ENTRIES}`;
    throw invalidRequest(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must ${constraint}`,
    );
  }
  if (!entries.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) {
    throw invalidRequest("1 validation error detected: Value at 'entries' must be a list of objects");
  }
  const size = entries.reduce<number>((total, entry) => total + entrySize(entry as PutEventsEntry), 0);
  if (size > MAX_REQUEST_BYTES) {
    throw invalidRequest('Total size of the entries in the request is over the limit.');
  }
}

/** The entry size as the EventBridge user guide computes it ("Calculating PutEvents event entry size"). */
function entrySize(entry: PutEventsEntry): number {
  const bytes = (text: unknown) => (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0);
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (Array.isArray(entry.Resources)
      ? entry.Resources.reduce((total, resource) => total + bytes(resource), 0)
      : 0)
  );
}

/**
 * A PutEvents request checked (a request AWS refuses as a whole throws), and its answer: the
 * EventId of each entry accepted, in the entry's place, or its error; and the accepted events.
 */
export function acceptEntries(
  entries: unknown,
  buses: readonly EventBus[],
  where: { region: string; accountId: string },
): { result: PutEventsResult; accepted: Array<{ bus: EventBus; event: EventBridgeEvent }> } {
  validatePutEventsRequest(entries);
  const accepted: Array<{ bus: EventBus; event: EventBridgeEvent }> = [];
  const results = entries.map((entry): PutEventsResultEntry => {
    const outcome = toEvent(entry, buses, where);
    if ('ErrorCode' in outcome) return outcome;
    accepted.push(outcome);
    return { EventId: outcome.event.id };
  });
  const failed = results.filter((entry) => 'ErrorCode' in entry).length;
  return { result: { FailedEntryCount: failed, Entries: results }, accepted };
}

/** The event an entry becomes on its bus, or the error its place in the answer reports. */
function toEvent(
  entry: PutEventsEntry,
  buses: readonly EventBus[],
  where: { region: string; accountId: string },
): { ErrorCode: string; ErrorMessage: string } | { bus: EventBus; event: EventBridgeEvent } {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    const value = entry[field];
    if (typeof value !== 'string' || value === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  const detail = parseJsonObject(entry.Detail ?? '');
  if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (
    entry.Resources !== undefined &&
    !(Array.isArray(entry.Resources) && entry.Resources.every((item) => typeof item === 'string'))
  ) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Resources is not valid.' };
  }
  const busRef = entry.EventBusName || 'default';
  const bus = buses.find(
    (candidate) => (busRef.startsWith('arn:') ? candidate.arn : candidate.name) === busRef,
  );
  if (!bus) {
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busRef} does not exist.` };
  }
  return {
    bus,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType ?? '',
      source: entry.Source ?? '',
      account: where.accountId,
      time: eventTime(entry.Time),
      region: where.region,
      resources: entry.Resources ?? [],
      detail,
    },
  };
}

/** The JSON object `text` holds; undefined for anything else (an array, a number, no JSON at all). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Event time to the second, as EventBridge writes it (`2025-03-10T14:15:03Z`); now when absent. */
function eventTime(time: Date | number | undefined): string {
  const millis = time instanceof Date ? time.getTime() : typeof time === 'number' ? time * 1000 : Date.now();
  const date = new Date(Number.isFinite(millis) ? millis : Date.now());
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
