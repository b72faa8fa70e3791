import type { TestProject } from 'vitest/node';
import { startEmulators } from './emulators.ts';
import type {} from './endpoints.ts';

/** Starts the emulators once per test run; every test file gets their endpoints through `inject`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulators = await startEmulators();
  project.provide('localEndpoints', emulators.endpoints);
  return () => emulators.stop();
}
