#!/usr/bin/env node
// Adds up the vitest reports that every project's `test` target writes (also when nx restores them
// from its cache) into one summary for the whole workspace: tests by project, the slowest test
// files, and what failed, each failure named with its file. `npm test` prints it after nx
// (src/test-run.ts); alone, it summarizes the reports on disk and exits 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NxRun, projectOfTask } from './nx-output.ts';
import { TEST_FILE_TIMES, type TestFileTimes } from './test-file-times.ts';
import { type ProjectResults, projectResults, readReport } from './test-reports.ts';
import { possibleCauses, type WorkspaceProject, workspaceProjects } from './workspace-projects.ts';

export interface Summary {
  text: string;
  ok: boolean;
}

const SLOWEST = 10;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
const andList = (names: readonly string[]) =>
  names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');

function slowestFiles(root: string, projects: readonly WorkspaceProject[], width: number): string[] {
  const files = projects.flatMap(({ folder }) => {
    const path = join(root, folder, TEST_FILE_TIMES);
    if (!existsSync(path)) return [];
    const times = JSON.parse(readFileSync(path, 'utf8')) as TestFileTimes;
    return times.files.map((file) => ({ folder, ...file }));
  });
  return files
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, SLOWEST)
    .map(
      ({ folder, file, seconds }) =>
        `  ${seconds.toFixed(1).padStart(7)} s  ${folder.padEnd(width)}  ${file}`,
    );
}

/** What failed in one project: its tests, and the nx tasks of it that failed or did not run. */
function projectFailures(
  results: ProjectResults | undefined,
  project: WorkspaceProject,
  nx: NxRun | undefined,
): string[] {
  const ofProject = (tasks: readonly string[]) =>
    tasks.filter((task) => projectOfTask(task) === project.name);
  const lines: string[] = [];
  if (results) {
    if (results.failed > 0) lines.push(`${plural(results.failed, 'test')} failed:`);
    lines.push(...results.failedTests.map((test) => `  ${test}`));
    if (results.failedFiles.length > 0)
      lines.push(
        'failed before its tests ran (an import or a hook threw; its error is in the output above):',
        ...results.failedFiles.map((file) => `  ${file}`),
      );
    if (results.unexplainedFailure)
      lines.push('vitest reported a failure no test explains (an unhandled error?): see its output above');
  } else if (project.hasTests) {
    const notRun = ofProject(nx?.tasksNotRun ?? []).length > 0;
    lines.push(
      `no test report${notRun ? ': nx did not run its tests, as a task they depend on failed' : ' from this run'}`,
    );
  }
  const testsExplained =
    results && (results.failed > 0 || results.failedFiles.length > 0 || results.unexplainedFailure);
  lines.push(
    ...ofProject(nx?.failedTasks ?? [])
      .filter((task) => !(testsExplained && task === `${project.name}:test`))
      .map((task) => `nx task ${task} failed: search the output above for "nx run ${task}"`),
  );
  return lines;
}

/**
 * The summary of the reports under `root`. With `nx`, the run that wrote them: its failed tasks
 * count as failures, and a failed nx with every test passed still fails.
 */
export function summarize(root: string, nx?: NxRun): Summary {
  const projects = workspaceProjects(root);
  const tested = projects.filter((project) => project.hasTests);
  const width = Math.max(...projects.map((project) => project.folder.length));
  const results = new Map<string, ProjectResults>();
  const lines = ['', 'Test summary by project'];
  for (const project of tested) {
    const report = readReport(root, project.folder);
    if (!report) {
      lines.push(`  ${project.folder.padEnd(width)}    no test report`);
      continue;
    }
    const result = projectResults(root, project.folder, report);
    results.set(project.name, result);
    lines.push(
      `  ${project.folder.padEnd(width)} ${String(result.passed).padStart(4)} passed  ${String(result.failed).padStart(3)} failed${result.skipped ? `  ${result.skipped} skipped` : ''}`,
    );
  }

  const slowest = slowestFiles(root, tested, width);
  if (slowest.length > 0) lines.push('', 'Slowest test files (set-up and hooks included)', ...slowest);

  const all = [...results.values()];
  const sum = (count: (result: ProjectResults) => number) =>
    all.reduce((total, result) => total + count(result), 0);
  const files = sum((result) => result.files.length);
  const failedFiles = sum((result) => result.files.filter((file) => file.failed).length);
  const [passed, failed, skipped] = [sum((r) => r.passed), sum((r) => r.failed), sum((r) => r.skipped)];
  const total = sum((result) => result.total);
  lines.push(
    '',
    ` Test Files  ${files - failedFiles} passed${failedFiles ? `, ${failedFiles} failed` : ''} (${files})`,
    `      Tests  ${passed} passed${failed ? `, ${failed} failed` : ''}${skipped ? `, ${skipped} skipped` : ''} (${total})`,
    `Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
  );

  const failures = new Map(
    projects
      .map((project) => [project, projectFailures(results.get(project.name), project, nx)] as const)
      .filter(([, problems]) => problems.length > 0),
  );
  const causes = possibleCauses(projects, new Set([...failures.keys()].map((project) => project.name)));
  const testsFailed = all.some(
    (result) => result.failed > 0 || result.failedFiles.length > 0 || result.unexplainedFailure,
  );
  const nxFailed = nx !== undefined && nx.status !== 0;
  const ok = failures.size === 0 && !nxFailed && total > 0;
  if (ok) return { text: `${lines.join('\n')}\n`, ok };

  lines.push('', nxFailed ? `What failed (nx exited with status ${nx.status})` : 'What failed');
  if (nxFailed && !testsFailed)
    lines.push(
      `  Every test that ran passed, but nx ${nx.failedTasks.length > 0 ? `tasks failed: ${nx.failedTasks.join(', ')}` : 'failed without naming a failed task: see its output above'}`,
    );
  if (total === 0 && failures.size === 0) lines.push('  no test ran: no project wrote a test report');
  // Causes first: a knock-on is read after what it may follow from.
  const ordered = [...failures].sort(([a], [b]) => Number(causes.has(a.name)) - Number(causes.has(b.name)));
  for (const [project, problems] of ordered) {
    const below = causes.get(project.name);
    lines.push(
      `  ✗ ${project.folder} (${project.name})${below ? `: possibly a knock-on: fails where ${andList(below)}, which it depends on, failed: look there first` : ''}`,
      ...problems.map((problem) => `      ${problem}`),
    );
  }
  return { text: `${lines.join('\n')}\n`, ok };
}

if (import.meta.main) {
  const summary = summarize(new URL('../../..', import.meta.url).pathname);
  process.stdout.write(summary.text);
  process.exit(summary.ok ? 0 : 1);
}
