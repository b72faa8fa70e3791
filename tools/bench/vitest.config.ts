import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// The size check needs no emulator (unlike the shared config's global setup): bundles and esbuild only.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      // Building the thirteen floor bundles takes a while on a busy machine.
      testTimeout: 120_000,
      pool: 'forks',
    },
  }),
);
