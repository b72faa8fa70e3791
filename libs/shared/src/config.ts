import { ConfigurationError } from './errors.ts';

type EnvSpec = Record<string, string>;
type EnvValues<T extends EnvSpec> = { readonly [K in keyof T]: string };

/**
 * Reads the environment variables a module needs, once, at cold start.
 * Every missing one is named in a single error, so a misconfigured function fails on its first
 * import with a message that says what to set, instead of on some later request.
 *
 *   const config = readEnv({ ordersTable: 'ORDERS_TABLE_NAME' });
 */
export function readEnv<T extends EnvSpec>(spec: T, env: NodeJS.ProcessEnv = process.env): EnvValues<T> {
  const missing: string[] = [];
  const values: Record<string, string> = {};
  for (const [key, variable] of Object.entries(spec)) {
    const value = env[variable]?.trim();
    if (value) values[key] = value;
    else missing.push(variable);
  }
  if (missing.length > 0) {
    throw new ConfigurationError(`Missing required environment variable(s): ${missing.join(', ')}`);
  }
  return values as EnvValues<T>;
}

/** Reads an integer environment variable within bounds, or fails the cold start. */
export function readIntegerEnv(
  variable: string,
  bounds: { min: number; max: number },
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = readEnv({ value: variable }, env).value;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigurationError(
      `Environment variable ${variable} must be an integer from ${bounds.min} to ${bounds.max}, got "${raw}"`,
    );
  }
  return value;
}
