/**
 * One page of a listing whose pagination token is the opaque offset of the page (base64url), as
 * the local services hand them out. Undefined when the token is not one they could have issued.
 */
export function offsetPage<T>(
  items: readonly T[],
  token: unknown,
  limit: number,
): { page: T[]; nextToken?: string } | undefined {
  const start =
    token === undefined
      ? 0
      : typeof token === 'string'
        ? Number(Buffer.from(token, 'base64url').toString())
        : Number.NaN;
  if (!Number.isInteger(start) || start < 0 || start > items.length) return undefined;
  const page = items.slice(start, start + limit);
  const next = start + page.length;
  return {
    page,
    ...(next < items.length ? { nextToken: Buffer.from(String(next)).toString('base64url') } : {}),
  };
}
