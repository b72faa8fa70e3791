#!/usr/bin/env node
// Adds up the vitest JSON reports that every project's `test` target writes (also when nx restores
// them from its cache), prints one summary for the whole workspace, and fails when any test failed
// or a project's report is missing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname;
// Every workspace of the root package.json (`libs/*`, `apps/*`, `infra`, ...) is a project.
const workspaces: string[] = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const projects = workspaces
  .flatMap((pattern) =>
    pattern.endsWith('/*')
      ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
      : [pattern],
  )
  .filter((project) => existsSync(join(root, project, 'package.json')));

const totals = { files: 0, failedFiles: 0, tests: 0, passed: 0, failed: 0, skipped: 0 };
const problems: string[] = [];
const width = Math.max(...projects.map((project) => project.length));
console.log('\nTest summary by project');
for (const project of projects) {
  const manifest = JSON.parse(readFileSync(join(root, project, 'package.json'), 'utf8'));
  if (!manifest.scripts?.test) continue;
  const reportPath = join(root, project, 'reports', 'vitest.json');
  if (!existsSync(reportPath)) {
    problems.push(`${project}: no test report at ${reportPath}`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const skipped = report.numPendingTests + report.numTodoTests;
  totals.files += report.numTotalTestSuites ? report.testResults.length : 0;
  totals.failedFiles += report.testResults.filter(
    (file: { status: string }) => file.status !== 'passed',
  ).length;
  totals.tests += report.numTotalTests;
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += skipped;
  if (report.numFailedTests > 0 || !report.success)
    problems.push(`${project}: ${report.numFailedTests} failed`);
  console.log(
    `  ${project.padEnd(width)} ${String(report.numPassedTests).padStart(4)} passed  ${String(report.numFailedTests).padStart(3)} failed${skipped ? `  ${skipped} skipped` : ''}`,
  );
}
for (const problem of problems) console.error(`  ✗ ${problem}`);
const fileLine = `${totals.files - totals.failedFiles} passed${totals.failedFiles ? `, ${totals.failedFiles} failed` : ''} (${totals.files})`;
const testLine = `${totals.passed} passed${totals.failed ? `, ${totals.failed} failed` : ''}${totals.skipped ? `, ${totals.skipped} skipped` : ''} (${totals.tests})`;
console.log(`\n Test Files  ${fileLine}`);
console.log(`      Tests  ${testLine}`);
console.log(
  `Tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exit(problems.length > 0 || totals.tests === 0 ? 1 : 0);
