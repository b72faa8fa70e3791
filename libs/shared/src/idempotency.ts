import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './dynamo.ts';
import { IdempotencyKeyReusedError, ValidationError } from './errors.ts';

/**
 * Idempotency for HTTP requests that create something (`Idempotency-Key` header), built on one
 * conditional write: the first request with a key claims it and names the resource it creates; a
 * retry with the same key and the same body learns that resource's id; the same key with another
 * body is refused (422). Records expire through the table's TTL attribute `expiresAt`.
 */
export interface IdempotencyStore {
  /** Returns `{ replayOf }` with the earlier resource's id when this request was already seen. */
  claim(claim: { key: string; requestHash: string; resourceId: string }): Promise<{ replayOf?: string }>;
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const DAY_SECONDS = 24 * 60 * 60;

/** Validates an Idempotency-Key header value: 1 to 255 visible ASCII characters. */
export function parseIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY_PATTERN.test(value)) {
    throw new ValidationError('Idempotency-Key must be 1 to 255 visible ASCII characters', [
      { path: 'headers.idempotency-key', message: 'Invalid idempotency key' },
    ]);
  }
  return value;
}

/** A hash of a JSON value that ignores key order, so `{a,b}` and `{b,a}` count as the same request. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function createIdempotencyStore(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Keeps keys of different operations apart, e.g. `POST /orders`. */
  scope: string;
  ttlSeconds?: number;
  now?: () => Date;
}): IdempotencyStore {
  const { client, tableName, scope, ttlSeconds = DAY_SECONDS, now = () => new Date() } = options;
  return {
    async claim({ key, requestHash: hash, resourceId }) {
      const id = `${scope}#${key}`;
      const createdAt = now();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              id,
              requestHash: hash,
              resourceId,
              createdAt: createdAt.toISOString(),
              expiresAt: Math.floor(createdAt.getTime() / 1000) + ttlSeconds,
            },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return {};
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
      );
      if (!Item) throw new Error(`Idempotency record ${id} vanished between its write and its read`);
      if (Item.requestHash !== hash) {
        throw new IdempotencyKeyReusedError(
          'This Idempotency-Key was already used with a different request body',
        );
      }
      return { replayOf: String(Item.resourceId) };
    },
  };
}
