import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: these tests run the generators on a temporary copy of the repository.
export default mergeConfig(
  projectTestConfig,
  defineConfig({
    // Each file runs generators and whole projects' checks in a copy: one at a time on 2 cores.
    test: { testTimeout: 60_000, fileParallelism: false },
  }),
);
