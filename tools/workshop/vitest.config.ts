import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: each checkpoint runs its own builds, tests and synths in child processes.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      testTimeout: 120_000,
      hookTimeout: 180_000,
    },
  }),
);
