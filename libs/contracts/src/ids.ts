/**
 * The ids the API and the messages carry: a type prefix and a ULID or a digest, 26 characters of
 * Crockford's base 32 (`ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T`). `@shop/shared/ids` makes them.
 */
/** The shape of an id with the given prefix (2 to 4 lower-case letters). */
export function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}_[0-9A-Z]{26}$`);
}

/** True when `value` has the shape of an id with the given prefix. */
export function isId(value: string, prefix: string): boolean {
  return /^[a-z]{2,4}$/.test(prefix) && idPattern(prefix).test(value);
}
