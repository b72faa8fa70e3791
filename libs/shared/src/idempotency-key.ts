import { createHash } from 'node:crypto';
import { ValidationError } from './errors.ts';

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
