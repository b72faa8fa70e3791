import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// The shared emulators for the parts' tests, plus one synthesized local stage for the end-to-end ones.
export default mergeConfig(
  sharedTestConfig,
  defineConfig({ test: { globalSetup: ['test/global-synth.ts'], testTimeout: 30_000 } }),
);
