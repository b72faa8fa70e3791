import type { TestProject } from 'vitest/node';
import { type LocalEndpoints, startEmulators } from './emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localEndpoints: LocalEndpoints;
  }
}

/** Starts the emulators once per test run; every test file gets their endpoints through `inject`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const emulators = await startEmulators();
  project.provide('localEndpoints', emulators.endpoints);
  return () => emulators.stop();
}
