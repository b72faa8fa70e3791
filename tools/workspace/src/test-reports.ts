import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The JSON report every project's vitest writes to `reports/vitest.json` (vitest.shared.ts). */
export const REPORT = join('reports', 'vitest.json');

/** The fields of vitest's JSON reporter the summary reads. */
export interface VitestReport {
  numTotalTestSuites: number;
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  success: boolean;
  testResults: {
    /** Absolute, as written by the run that made the report (which may be another checkout's, restored from nx's cache). */
    name: string;
    status: string;
    message: string;
    startTime: number;
    endTime: number;
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
}

export interface TestFile {
  /** Relative to the project: `test/orders.test.ts`. */
  file: string;
  seconds: number;
  failed: boolean;
}

export interface ProjectResults {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  files: TestFile[];
  /** `infra/test/services.test.ts > the orders service > grants ...`, one per failed test. */
  failedTests: string[];
  /** A file that failed with no failed test: an import or a hook threw, and its tests did not run. */
  failedFiles: string[];
  /** vitest said the run failed, and no test or file above says why (an unhandled error). */
  unexplainedFailure: boolean;
}

export function readReport(root: string, folder: string): VitestReport | undefined {
  const path = join(root, folder, REPORT);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as VitestReport) : undefined;
}

/**
 * A test file's path inside its project. The report holds absolute paths of the checkout that ran
 * it: nx restores a report from its cache, and CI's cache may come from another folder.
 */
function fileInProject(root: string, folder: string, name: string): string {
  const marker = `/${folder}/`;
  const at = name.lastIndexOf(marker);
  return at >= 0 ? name.slice(at + marker.length) : relative(join(root, folder), name);
}

export function projectResults(root: string, folder: string, report: VitestReport): ProjectResults {
  const files = report.testResults.map((result) => ({
    result,
    file: fileInProject(root, folder, result.name),
  }));
  const failedTests = files.flatMap(({ result, file }) =>
    result.assertionResults
      .filter((test) => test.status === 'failed')
      .map((test) => [`${folder}/${file}`, ...test.ancestorTitles, test.title].join(' > ')),
  );
  const failedFiles = files
    .filter(
      ({ result }) =>
        result.status === 'failed' && !result.assertionResults.some((test) => test.status === 'failed'),
    )
    .map(({ result, file }) => {
      const message = result.message.trim().split('\n')[0];
      return `${folder}/${file}${message ? `: ${message}` : ''}`;
    });
  return {
    total: report.numTotalTests,
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
    files: files.map(({ result, file }) => ({
      file,
      seconds: (result.endTime - result.startTime) / 1000,
      failed: result.status !== 'passed',
    })),
    failedTests,
    failedFiles,
    unexplainedFailure:
      !report.success && report.numFailedTests === 0 && failedTests.length + failedFiles.length === 0,
  };
}
