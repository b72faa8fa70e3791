import { createHash } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// Monotonic: two ids made in the same millisecond by one execution environment still sort in the
// order they were made (a plain ulid() draws the random part afresh, so they sort by chance).
// Marked pure so that bundles which never make an id (only deterministic ones) leave it out.
const ulid = /* @__PURE__ */ monotonicFactory();

/** Sortable, unique ids with a type prefix, e.g. `ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T`. */
export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}

/**
 * The same id for the same fact, every time: used where a retried step must not create a second
 * thing (one invoice per order, one event id per published fact, so consumers can deduplicate).
 */
export function deterministicId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${digestOf(...parts)
    .toString('hex')
    .slice(0, 26)
    .toUpperCase()}`;
}

/** SHA-256 of the parts, kept apart by NUL so that ('ab', 'c') and ('a', 'bc') differ. */
export function digestOf(...parts: (string | number)[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}
