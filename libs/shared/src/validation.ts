import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ValidationError } from './errors.ts';

// zod/mini ships no messages, so the English ones are loaded once: clients get readable details.
z.config(en());

export { z };

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
