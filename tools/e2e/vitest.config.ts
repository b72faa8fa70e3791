import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// The shared emulators, plus this application's local stage synthesized once for the end-to-end tests.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { globalSetup: ['test/global-synth.ts'], testTimeout: 30_000 } }),
);
