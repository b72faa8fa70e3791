import { defineConfig, mergeConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.ts';

// No emulators: these tests run the generators on a temporary copy of the repository.
export default mergeConfig(projectTestConfig, defineConfig({ test: { testTimeout: 60_000 } }));
