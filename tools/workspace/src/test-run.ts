#!/usr/bin/env node
// `npm test`: nx builds, lints, typechecks and tests every project, then the summary of the test
// reports is printed whether nx passed or failed, and the exit status is the worse of the two.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { parseNxOutput } from './nx-output.ts';
import { TEST_FILE_TIMES } from './test-file-times.ts';
import { REPORT } from './test-reports.ts';
import { summarize } from './test-summary.ts';
import { workspaceProjects } from './workspace-projects.ts';

export const NX_ARGS = ['run-many', '-t', 'build', 'lint', 'typecheck', 'test', '--outputStyle=static'];

export interface TestRun {
  root: string;
  /** The program and its arguments: nx, or a stand-in in this package's tests. */
  command: readonly [string, ...string[]];
  env?: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
}

/**
 * Runs the command in `root`, its output passed on as it comes and kept for the failed tasks nx
 * lists at its end, then writes the summary. Resolves to the exit status `npm test` should have.
 */
export async function testAndSummarize({ root, command, env, stdout, stderr }: TestRun): Promise<number> {
  // A report left by an earlier run would pass for this run's when nx does not run a project's tests
  // (a build they depend on failed). nx writes every report again, run or restored from its cache.
  for (const project of workspaceProjects(root).filter((project) => project.hasTests)) {
    for (const report of [REPORT, TEST_FILE_TIMES])
      rmSync(join(root, project.folder, report), { force: true });
  }
  const [program, ...args] = command;
  const child = spawn(program, args, { cwd: root, env, stdio: ['inherit', 'pipe', 'pipe'] });
  let output = '';
  for (const [from, to] of [
    [child.stdout, stdout],
    [child.stderr, stderr],
  ] as const) {
    from.setEncoding('utf8');
    from.on('data', (chunk: string) => {
      to.write(chunk);
      output += chunk;
    });
  }
  const status = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
  const summary = summarize(root, parseNxOutput(status, output));
  stdout.write(summary.text);
  return status !== 0 ? status : summary.ok ? 0 : 1;
}

if (import.meta.main) {
  const root = new URL('../../..', import.meta.url).pathname;
  // Ctrl-C reaches nx too: let it stop its tasks, then summarize what ran.
  process.on('SIGINT', () => {});
  const colour = process.stdout.isTTY && !process.env.NO_COLOR && !process.env.FORCE_COLOR;
  process.exitCode = await testAndSummarize({
    root,
    command: [join(root, 'node_modules', '.bin', 'nx'), ...NX_ARGS],
    // nx and vitest write to a pipe here, and would drop their colours unless told the end is a terminal.
    env: colour ? { ...process.env, FORCE_COLOR: '1' } : process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}
