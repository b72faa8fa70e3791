import type * as z from '@shop/contracts/zod';
import { ValidationError } from './errors.ts';

/** Parses `input` with `schema`, or throws a ValidationError whose details name every bad field. */
export function parseWith<T>(schema: z.ZodMiniType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
    message: issue.message,
  }));
  throw new ValidationError(`${what} is invalid`, details);
}
