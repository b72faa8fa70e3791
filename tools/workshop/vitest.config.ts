import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: each checkpoint runs its own builds, tests and synths in child processes.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      // A checkpoint synthesizes the app and starts the local cloud, then waits on conditions with
      // deadlines of its own: on a loaded machine that takes minutes, so the cap stays above them.
      testTimeout: 300_000,
      hookTimeout: 180_000,
    },
  }),
);
