import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { VitestReport } from '../src/test-reports.ts';

/**
 * A workspace with the shape of this one, written to a temporary folder, and the reports its
 * projects' test runs would leave: the summary reads them as it reads the real ones.
 */
export interface FakeProject {
  name: string;
  tests?: boolean;
  dependencies?: string[];
  implicitDependencies?: string[];
}

export interface FakeTestFile {
  /** Relative to the project: `test/orders.test.ts`. */
  file: string;
  seconds?: number;
  /** Each test: its describe blocks and title, and how it ended. */
  tests?: { titles: string[]; status: 'passed' | 'failed' | 'skipped' }[];
  /** The file failed before its tests ran (an import or a beforeAll threw). */
  error?: string;
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function fakeWorkspace(projects: Record<string, FakeProject>): string {
  const root = mkdtempSync(join(tmpdir(), 'test-summary-'));
  writeJson(join(root, 'package.json'), {
    name: 'fake',
    workspaces: ['apps/*', 'libs/*', 'infra', 'tools/*'],
  });
  for (const folder of ['apps', 'libs', 'tools']) mkdirSync(join(root, folder));
  for (const [folder, project] of Object.entries(projects)) {
    writeJson(join(root, folder, 'package.json'), {
      name: project.name,
      scripts: project.tests === false ? { lint: 'biome check .' } : { test: 'vitest run' },
      dependencies: Object.fromEntries((project.dependencies ?? []).map((name) => [name, '0.1.0'])),
      ...(project.implicitDependencies ? { nx: { implicitDependencies: project.implicitDependencies } } : {}),
    });
  }
  return root;
}

/**
 * The reports of one project's test run: vitest's JSON report, with absolute paths under
 * `checkout` (another folder than `root` when nx restored it from a cache filled elsewhere), and
 * the file times.
 */
export function writeReports(
  root: string,
  folder: string,
  files: FakeTestFile[],
  checkout: string = root,
): void {
  const tests = files.flatMap((file) => file.tests ?? []);
  const count = (status: string) => tests.filter((test) => test.status === status).length;
  const failed = (file: FakeTestFile) =>
    file.error !== undefined || (file.tests ?? []).some((test) => test.status === 'failed');
  const report: VitestReport = {
    numTotalTestSuites: files.length,
    numTotalTests: tests.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped'),
    numTodoTests: 0,
    success: !files.some(failed),
    testResults: files.map((file) => ({
      name: join(checkout, folder, file.file),
      status: failed(file) ? 'failed' : 'passed',
      message: file.error ?? '',
      startTime: 1_000_000,
      endTime: 1_000_000,
      assertionResults: (file.tests ?? []).map((test) => ({
        ancestorTitles: test.titles.slice(0, -1),
        title: test.titles.at(-1) ?? '',
        status: test.status,
      })),
    })),
  };
  writeJson(join(root, folder, 'reports', 'vitest.json'), report);
  writeJson(join(root, folder, 'reports', 'test-file-times.json'), {
    files: files.map((file) => ({ file: file.file, seconds: file.seconds ?? 0.1 })),
  });
}

export const passing = (file: string, seconds = 0.1): FakeTestFile => ({
  file,
  seconds,
  tests: [{ titles: ['a behaviour', 'holds'], status: 'passed' }],
});
