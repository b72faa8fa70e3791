import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

// The shared emulators for the parts' tests; stacks under test are synthesized by the tests themselves.
export default mergeConfig(sharedTestConfig, defineConfig({ test: { testTimeout: 30_000 } }));
