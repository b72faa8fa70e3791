import { createTestTable, scanTable } from '@shop/testing/resources';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../src/dynamo.ts';
import { IdempotencyKeyReusedError, ValidationError } from '../src/errors.ts';
import { createIdempotencyStore } from '../src/idempotency.ts';
import { parseIdempotencyKey, requestHash } from '../src/idempotency-key.ts';

// Runs against dynalite: the conditional write is the whole mechanism, so it is tested for real.
let tableName: string;
beforeAll(async () => {
  tableName = await createTestTable({ envVar: 'IDEMPOTENCY_TABLE_NAME', partitionKey: 'id' });
});

const store = () =>
  createIdempotencyStore({
    client: createDocumentClient(),
    tableName,
    scope: 'POST /orders',
    ttlSeconds: 60,
  });

describe('idempotency keys', () => {
  it('claims a new key once and records when it expires', async () => {
    const result = await store().claim({ key: 'k-new', requestHash: 'h1', resourceId: 'ord_1' });
    expect(result).toEqual({});
    const record = (await scanTable(tableName)).find((item) => item.id === 'POST /orders#k-new');
    expect(record).toMatchObject({ requestHash: 'h1', resourceId: 'ord_1' });
    expect(record?.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('replays the first resource for the same key and the same request', async () => {
    await store().claim({ key: 'k-replay', requestHash: 'h1', resourceId: 'ord_first' });
    const again = await store().claim({ key: 'k-replay', requestHash: 'h1', resourceId: 'ord_second' });
    expect(again).toEqual({ replayOf: 'ord_first' });
  });

  it('refuses the same key with another request', async () => {
    await store().claim({ key: 'k-reuse', requestHash: 'h1', resourceId: 'ord_1' });
    await expect(store().claim({ key: 'k-reuse', requestHash: 'h2', resourceId: 'ord_2' })).rejects.toThrow(
      IdempotencyKeyReusedError,
    );
  });

  it('lets exactly one of many concurrent claims of a key win', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store().claim({ key: 'k-race', requestHash: 'h', resourceId: `ord_${i}` }),
      ),
    );
    const winners = results.filter((result) => result.replayOf === undefined);
    expect(winners).toHaveLength(1);
    const replayed = new Set(results.map((result) => result.replayOf).filter(Boolean));
    expect(replayed.size).toBe(1);
  });

  it('hashes requests independently of key order, and differently for different values', () => {
    expect(requestHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(requestHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash([1, 2])).not.toBe(requestHash([2, 1]));
  });

  it('accepts keys of visible ASCII and refuses empty, long or control-character keys', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
    expect(parseIdempotencyKey('3f9c1f7e-2b1d-4a55-9b7e-5a0e6b2f9d11')).toBe(
      '3f9c1f7e-2b1d-4a55-9b7e-5a0e6b2f9d11',
    );
    for (const bad of ['', 'x'.repeat(256), 'a b', 'key\n', 'ключ']) {
      expect(() => parseIdempotencyKey(bad)).toThrow(ValidationError);
    }
  });
});
