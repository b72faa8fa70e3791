import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { testAndSummarize } from '../src/test-run.ts';
import { type FakeProject, fakeWorkspace, passing, writeReports } from './fixture-reports.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const projects = {
  'libs/shared': { name: '@shop/shared' },
  'apps/orders': { name: '@shop/orders', dependencies: ['@shop/shared'] },
} satisfies Record<string, FakeProject>;

/**
 * A stand-in for nx: copies the reports of the projects it "tests" from `staged` into the
 * workspace, prints what nx would, and exits with `status`.
 */
function fakeNx(tested: string[], output: { stdout: string; stderr: string }, status: number) {
  const staged = fakeWorkspace(projects);
  const bin = mkdtempSync(join(tmpdir(), 'fake-nx-'));
  folders.push(staged, bin);
  for (const folder of tested) writeReports(staged, folder, [passing('test/a.test.ts', 2)]);
  const script = join(bin, 'nx.mjs');
  writeFileSync(
    script,
    `import { cpSync } from 'node:fs';
for (const folder of ${JSON.stringify(tested)}) {
  cpSync(${JSON.stringify(staged)} + '/' + folder + '/reports', folder + '/reports', { recursive: true });
}
process.stdout.write(${JSON.stringify(output.stdout)});
process.stderr.write(${JSON.stringify(output.stderr)});
process.exit(${status});
`,
  );
  return [process.execPath, script] as const;
}

async function run(command: readonly [string, ...string[]]) {
  const root = fakeWorkspace(projects);
  folders.push(root);
  // A passing report from an earlier run, which this run's nx does not write again.
  writeReports(root, 'apps/orders', [passing('test/old.test.ts')]);
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const text = { stdout: '', stderr: '' };
  stdout.on('data', (chunk: Buffer) => {
    text.stdout += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    text.stderr += chunk.toString();
  });
  const status = await testAndSummarize({ root, command, stdout, stderr });
  return { status, ...text };
}

describe('npm test', () => {
  it("passes nx's output on, then prints the summary of a failed run and exits with nx's status", async () => {
    const nx = fakeNx(
      ['libs/shared'],
      {
        stdout: '> nx run @shop/shared:test\n\n 1 passed\n',
        stderr:
          '\n NX   Running targets lint, test failed\n\nTasks not run because their dependencies failed or --nx-bail=true:\n\n- @shop/orders:test\n\nFailed tasks:\n\n- @shop/orders:build\n',
      },
      130,
    );

    const { status, stdout, stderr } = await run(nx);

    expect(status).toBe(130);
    expect(stderr).toContain('- @shop/orders:build');
    expect(stdout.indexOf('> nx run @shop/shared:test')).toBeLessThan(
      stdout.indexOf('Test summary by project'),
    );
    expect(stdout).toContain(
      [
        'What failed (nx exited with status 130)',
        '  Every test that ran passed, but nx tasks failed: @shop/orders:build',
        '  ✗ apps/orders (@shop/orders)',
        '      no test report: nx did not run its tests, as a task they depend on failed',
        '      nx task @shop/orders:build failed: search the output above for "nx run @shop/orders:build"',
      ].join('\n'),
    );
    expect(stdout).not.toContain('old.test.ts');
  });

  it('exits 1 when nx passed but a project left no test report, and 0 when every test passed', async () => {
    const quiet = { stdout: '', stderr: '' };

    const missing = await run(fakeNx(['libs/shared'], quiet, 0));
    const green = await run(fakeNx(['libs/shared', 'apps/orders'], quiet, 0));

    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('  ✗ apps/orders (@shop/orders)\n      no test report from this run');
    expect(green.status).toBe(0);
    expect(green.stdout).toContain('Tests: 2 passed, 0 failed');
  });
});
