import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogEntry } from '@shop/local-cloud';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { compareReports, readReport } from '../src/e2e/report.ts';
import { startCloudCommand, stopCommand } from './child-commands.ts';

/**
 * The end-to-end scenarios (tools/e2e/scenarios) as a user runs them: `npm run e2e`'s own script
 * as a child process, against the local cloud it starts itself, and against one started apart
 * with `npm start` (`--url`, found through the variables its banner exports). The local run's
 * parity report is held to the committed reference, tools/e2e/parity/local.json.
 */
const script = (name: string) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));
const reference = fileURLToPath(new URL('../parity/local.json', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'e2e-command-'));
const children: ChildProcess[] = [];
/** A whole run; on npm start's cloud the workflow's retries take the template's intervals. */
const RUN_TIMEOUT_MS = 10 * 60_000;

afterAll(async () => {
  for (const child of children) await stopCommand(child);
  rmSync(workDir, { recursive: true, force: true });
});

/**
 * This process's environment without what points at the test run's emulators or its vitest: the
 * command finds its target by itself, as it does in a user's shell.
 */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !/^(AWS_|VITEST|TEST$|NODE_ENV$|FORCE_COLOR$)/.test(name),
  );
  return { ...Object.fromEntries(kept), AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', ...extra };
}

/** Runs `npm run e2e -- <args>`'s script; its exit code and what it printed. */
function e2e(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script('e2e-cli.ts'), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output: output.join('') }));
  });
}

describe('npm run e2e', () => {
  it(
    'passes every scenario on the local cloud it starts, and reports what the committed reference holds',
    async () => {
      const report = join(workDir, 'local.json');
      const run = await e2e(
        ['--assembly', inject('localAssemblyDir'), '--report', report],
        userEnvironment(),
      );

      expect(run.code, run.output.slice(-4_000)).toBe(0);
      expect(
        compareReports(readReport(reference), readReport(report), ['the reference', 'this run']),
      ).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'passes every scenario with --url on a local cloud npm start runs apart, found through its exported variables',
    async () => {
      const logs: LogEntry[] = [];
      const started = startCloudCommand(
        script('start.ts'),
        ['--port', '0', '--no-watch', '--assembly', inject('localAssemblyDir')],
        logs,
        60_000,
      );
      children.push(started.child);
      const ready = await started.ready;

      const run = await e2e(['--url', ready.url], userEnvironment(ready.environment));
      expect(run.code, run.output.slice(-4_000)).toBe(0);
    },
    RUN_TIMEOUT_MS,
  );

  it('says in one sentence what to run when there are no AWS credentials for --stage, with no stack trace', async () => {
    const run = await e2e(
      ['--stage', 'dev-nobody', '--region', 'eu-west-1'],
      userEnvironment({
        AWS_CONFIG_FILE: join(workDir, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'none'),
      }),
    );

    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      /^No usable AWS credentials \(.+\)\.\nLog in, then run this command again:\n {2}aws sso login/m,
    );
    expect(run.output).not.toMatch(/\n\s+at /);
  });

  it('refuses --url without the local cloud variables, saying what to paste', async () => {
    const run = await e2e(['--url', 'http://127.0.0.1:9'], userEnvironment());

    expect(run.code).toBe(2);
    expect(run.output).toMatch(/paste the\nexport lines its banner prints/);
  });
});
