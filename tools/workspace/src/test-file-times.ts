import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

/** Where each project's run writes how long each of its test files took, beside vitest.json. */
export const TEST_FILE_TIMES = join('reports', 'test-file-times.json');

export interface TestFileTimes {
  /** Path relative to the project, and seconds from the file's set-up to its last hook. */
  files: { file: string; seconds: number }[];
}

/**
 * A vitest reporter for the slowest files of the test summary. The JSON reporter's per-file
 * startTime and endTime span the first test's start to the last test's end, so a file's imports
 * and beforeAll hooks (a CDK synth, an emulator's start) are left out; the module's diagnostic
 * counts them.
 */
export default class TestFileTimesReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const files = testModules.map((module) => {
      const diagnostic = module.diagnostic();
      const milliseconds =
        diagnostic.environmentSetupDuration +
        diagnostic.prepareDuration +
        diagnostic.setupDuration +
        diagnostic.collectDuration +
        diagnostic.duration;
      return { file: relative(this.root, module.moduleId), seconds: Math.round(milliseconds) / 1000 };
    });
    const path = join(this.root, TEST_FILE_TIMES);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ files } satisfies TestFileTimes, null, 2)}\n`);
  }
}
