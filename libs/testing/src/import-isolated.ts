import { vi } from 'vitest';

/**
 * Imports a fresh copy of a module, and of everything it imports, with some environment variables
 * changed while it loads: a second instance of a handler wired otherwise (to an endpoint that
 * refuses, or a bus that does not exist), next to the one the test file imported first. Handlers read
 * their configuration and create their clients once, at import, as they do on a Lambda cold start.
 */
export async function importIsolated<T>(
  environment: Record<string, string>,
  load: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(environment).map((name) => [name, process.env[name]]));
  Object.assign(process.env, environment);
  vi.resetModules();
  try {
    return await load();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
