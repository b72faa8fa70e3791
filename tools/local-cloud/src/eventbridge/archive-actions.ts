import { type ApiAction, AwsApiError } from '../kit/json-protocol-server.ts';
import type { ArchiveView, EventArchives } from './event-archive.ts';
import type { ReplayRecord, Replays } from './replays.ts';
import type { EventBus } from './rules.ts';

/**
 * ListArchives, DescribeArchive, StartReplay, DescribeReplay, ListReplays and CancelReplay with the
 * request and response shapes of the EventBridge API reference. Archives are the template's: there
 * is no CreateArchive, UpdateArchive or DeleteArchive. Timestamps go out as Dates (epoch seconds on
 * the wire) and come in as epoch seconds, as the SDK sends them.
 */
export function archiveActions(
  archives: EventArchives,
  replays: Replays,
  buses: readonly EventBus[],
): Record<string, ApiAction> {
  return {
    ListArchives(input) {
      const source = optionalString(input, 'EventSourceArn');
      if (source !== undefined && !buses.some((bus) => bus.arn === source)) {
        throw new AwsApiError(
          'ResourceNotFoundException',
          `Event bus ${source.split('/').pop()} does not exist.`,
        );
      }
      return listAnswer(input, 'Archives', archives.all(), archiveSummary, (archive) => ({
        name: archive.name,
        source: archive.sourceArn,
        state: 'ENABLED',
      }));
    },

    DescribeArchive(input) {
      const name = requiredString(input, 'ArchiveName');
      const archive = archives.byName(name);
      if (!archive) throw new AwsApiError('ResourceNotFoundException', `Archive ${name} does not exist.`);
      return {
        ArchiveArn: archive.arn,
        ...archiveSummary(archive),
        ...(archive.description !== undefined ? { Description: archive.description } : {}),
        ...(archive.pattern !== undefined ? { EventPattern: JSON.stringify(archive.pattern) } : {}),
      };
    },

    StartReplay(input) {
      const name = requiredString(input, 'ReplayName');
      if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) {
        throw new AwsApiError(
          'ValidationException',
          `1 validation error detected: Value '${name}' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
        );
      }
      const destination = input.Destination as Record<string, unknown> | undefined;
      if (typeof destination !== 'object' || destination === null) {
        throw new AwsApiError('ValidationException', 'Destination is required');
      }
      const filterArns = destination.FilterArns;
      if (filterArns !== undefined && !isStringList(filterArns)) {
        throw new AwsApiError('ValidationException', 'Destination.FilterArns must be a list of rule ARNs');
      }
      const description = optionalString(input, 'Description');
      const record = replays.start({
        name,
        ...(description !== undefined ? { description } : {}),
        eventSourceArn: requiredString(input, 'EventSourceArn'),
        eventStartTime: requiredTime(input, 'EventStartTime'),
        eventEndTime: requiredTime(input, 'EventEndTime'),
        destination: {
          Arn: requiredString(destination, 'Arn'),
          ...(filterArns !== undefined ? { FilterArns: filterArns } : {}),
        },
      });
      return {
        ReplayArn: record.arn,
        State: record.state,
        ReplayStartTime: new Date(record.replayStartTime),
      };
    },

    DescribeReplay(input) {
      const record = replays.describe(requiredString(input, 'ReplayName'));
      return {
        ReplayArn: record.arn,
        ...(record.description !== undefined ? { Description: record.description } : {}),
        Destination: record.destination,
        ...replaySummary(record),
      };
    },

    ListReplays(input) {
      return listAnswer(input, 'Replays', replays.all(), replaySummary, (record) => ({
        name: record.name,
        source: record.eventSourceArn,
        state: record.state,
      }));
    },

    CancelReplay(input) {
      const record = replays.cancel(requiredString(input, 'ReplayName'));
      return { ReplayArn: record.arn, State: record.state };
    },
  };
}

function archiveSummary(archive: ArchiveView) {
  return {
    ArchiveName: archive.name,
    EventSourceArn: archive.sourceArn,
    State: 'ENABLED',
    RetentionDays: archive.retentionDays ?? 0,
    SizeBytes: archive.sizeBytes,
    EventCount: archive.eventCount,
    CreationTime: new Date(archive.createdAt),
  };
}

function replaySummary(record: ReplayRecord) {
  const date = (millis: number | undefined) => (millis === undefined ? undefined : new Date(millis));
  const fields = {
    ReplayName: record.name,
    EventSourceArn: record.eventSourceArn,
    State: record.state,
    StateReason: record.stateReason,
    EventStartTime: date(record.eventStartTime),
    EventEndTime: date(record.eventEndTime),
    EventLastReplayedTime: date(record.eventLastReplayedTime),
    ReplayStartTime: date(record.replayStartTime),
    ReplayEndTime: date(record.replayEndTime),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * A List action's answer: the items its filters (NamePrefix, EventSourceArn, State) keep, a page at
 * a time, under `key`.
 */
function listAnswer<T>(
  input: Record<string, unknown>,
  key: 'Archives' | 'Replays',
  all: readonly T[],
  summarize: (item: T) => Record<string, unknown>,
  fieldsOf: (item: T) => { name: string; source: string; state: string },
): Record<string, unknown> {
  const prefix = optionalString(input, 'NamePrefix');
  const source = optionalString(input, 'EventSourceArn');
  const state = optionalString(input, 'State');
  const listed = all.filter((item) => {
    const fields = fieldsOf(item);
    return (
      (prefix === undefined || fields.name.startsWith(prefix)) &&
      (source === undefined || fields.source === source) &&
      (state === undefined || fields.state === state)
    );
  });
  const { items, NextToken } = page(listed, input);
  return { [key]: items.map(summarize), ...(NextToken ? { NextToken } : {}) };
}

/** `Limit` (1 to 100) and `NextToken`: the position of the next item, opaque to the caller. */
function page<T>(items: readonly T[], input: Record<string, unknown>): { items: T[]; NextToken?: string } {
  const limit = input.Limit === undefined ? 100 : Number(input.Limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new AwsApiError('ValidationException', 'Limit must be between 1 and 100');
  }
  const token = optionalString(input, 'NextToken');
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0)
    throw new AwsApiError('ValidationException', 'Invalid NextToken');
  const end = start + limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsApiError('ValidationException', `${field} is required and must be a string`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  return input[field] === undefined ? undefined : requiredString(input, field);
}

/** A timestamp as the SDK sends it (epoch seconds), in epoch milliseconds. */
function requiredTime(input: Record<string, unknown>, field: string): number {
  const value = input[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AwsApiError('ValidationException', `${field} is required and must be a timestamp`);
  }
  return Math.round(value * 1000);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
