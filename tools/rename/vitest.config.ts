import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: these tests run the repository's own tooling on temporary copies.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      testTimeout: 30_000,
    },
  }),
);
