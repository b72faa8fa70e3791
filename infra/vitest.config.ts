import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../vitest.shared.ts';

// No emulators here: the infra tests only synthesize the app and assert on its templates.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // Loading aws-cdk-lib costs more than a synthesis: test files share it within a worker. Each
      // file builds its own App, and nothing in src/ keeps state between apps.
      isolate: false,
    },
  }),
);
