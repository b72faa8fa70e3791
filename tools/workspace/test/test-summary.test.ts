import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/boundaries.ts';
import { parseNxOutput } from '../src/nx-output.ts';
import { summarize } from '../src/test-summary.ts';
import { dependenciesOf, workspaceProjects } from '../src/workspace-projects.ts';
import { type FakeProject, fakeWorkspace, passing, writeReports } from './fixture-reports.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function workspace(projects: Record<string, FakeProject>): string {
  const root = fakeWorkspace(projects);
  roots.push(root);
  return root;
}

const shop = {
  'libs/shared': { name: '@shop/shared' },
  'apps/orders': { name: '@shop/orders', dependencies: ['@shop/shared'] },
  infra: { name: '@shop/infra', dependencies: ['@shop/orders'] },
  'tools/workshop': { name: '@shop/workshop', dependencies: ['@shop/infra'] },
  'tools/rename': { name: '@shop/rename', implicitDependencies: ['@shop/orders', '@shop/infra'] },
  'tools/bundling': { name: '@shop/bundling', tests: false },
} satisfies Record<string, FakeProject>;

/** nx 23's closing lines of a failed run-many (stderr, static output style), as it printed them here. */
const nxFailure = [
  '',
  ' NX   Running targets build, lint, test for 3 projects and 4 tasks they depend on failed',
  '',
  'Tasks not run because their dependencies failed or --nx-bail=true:',
  '',
  '- @shop/orders:test',
  '- @shop/infra:build',
  '- @shop/infra:test',
  '',
  'Failed tasks:',
  '',
  '- @shop/orders:lint',
  '- @shop/orders:build',
  '- @shop/workspace:test',
  '',
].join('\n');

describe('the test summary', () => {
  it('adds up the tests by project and lists the ten slowest test files of the workspace, slowest first', () => {
    const root = workspace(shop);
    const times: Record<string, number[]> = {
      'libs/shared': [3, 2, 0.2],
      'apps/orders': [41.26, 95, 60],
      infra: [7, 1],
      'tools/workshop': [0.5, 30],
      'tools/rename': [12, 4],
    };
    for (const [folder, seconds] of Object.entries(times)) {
      writeReports(
        root,
        folder,
        seconds.map((time, at) => passing(`test/file-${at}.test.ts`, time)),
      );
    }

    const summary = summarize(root);

    expect(summary.ok).toBe(true);
    const lines = summary.text.split('\n');
    const slowest = lines.slice(lines.indexOf('Slowest test files (set-up and hooks included)') + 1);
    expect(slowest.slice(0, 11)).toEqual([
      '     95.0 s  apps/orders     test/file-1.test.ts',
      '     60.0 s  apps/orders     test/file-2.test.ts',
      '     41.3 s  apps/orders     test/file-0.test.ts',
      '     30.0 s  tools/workshop  test/file-1.test.ts',
      '     12.0 s  tools/rename    test/file-0.test.ts',
      '      7.0 s  infra           test/file-0.test.ts',
      '      4.0 s  tools/rename    test/file-1.test.ts',
      '      3.0 s  libs/shared     test/file-0.test.ts',
      '      2.0 s  libs/shared     test/file-1.test.ts',
      '      1.0 s  infra           test/file-1.test.ts',
      '',
    ]);
    expect(summary.text).toContain('  apps/orders       3 passed    0 failed');
    expect(summary.text).toContain('Tests: 12 passed, 0 failed');
    expect(summary.text).not.toContain('tools/bundling');
    expect(summary.text).not.toContain('What failed');
  });

  it('names each failed test with its file, and marks a failed project that runs a failed one as a possible knock-on', () => {
    const root = workspace(shop);
    writeReports(root, 'libs/shared', [passing('test/ids.test.ts')]);
    writeReports(root, 'apps/orders', [passing('test/place-order.test.ts')]);
    writeReports(root, 'infra', [
      {
        file: 'test/services.test.ts',
        tests: [
          { titles: ['the orders service', 'grants its queue to its consumer'], status: 'failed' },
          { titles: ['the orders service', 'names its alarms'], status: 'passed' },
        ],
      },
      { file: 'test/app.test.ts', error: 'Cannot find module dist/place-order\n    at load (node:internal)' },
    ]);
    writeReports(root, 'tools/workshop', [
      { file: 'test/workshop-checkpoints.test.ts', tests: [{ titles: ['checkpoint 4'], status: 'failed' }] },
    ]);
    writeReports(root, 'tools/rename', [
      {
        file: 'test/rename-copy.test.ts',
        tests: [{ titles: ['a renamed copy', 'builds'], status: 'failed' }],
      },
    ]);

    const summary = summarize(root);

    expect(summary.ok).toBe(false);
    expect(summary.text.slice(summary.text.indexOf('What failed'))).toBe(
      [
        'What failed',
        '  ✗ infra (@shop/infra)',
        '      1 test failed:',
        '        infra/test/services.test.ts > the orders service > grants its queue to its consumer',
        '      failed before its tests ran (an import or a hook threw; its error is in the output above):',
        '        infra/test/app.test.ts: Cannot find module dist/place-order',
        '  ✗ tools/rename (@shop/rename): possibly a knock-on: fails where @shop/infra, which it depends on, failed: look there first',
        '      1 test failed:',
        '        tools/rename/test/rename-copy.test.ts > a renamed copy > builds',
        '  ✗ tools/workshop (@shop/workshop): possibly a knock-on: fails where @shop/infra, which it depends on, failed: look there first',
        '      1 test failed:',
        '        tools/workshop/test/workshop-checkpoints.test.ts > checkpoint 4',
        '',
      ].join('\n'),
    );
  });

  it('counts a project whose tests left no report as failed, and names no cause between projects that depend on each other', () => {
    const root = workspace({
      'libs/shared': { name: '@shop/shared', dependencies: ['@shop/testing'] },
      'libs/testing': { name: '@shop/testing', dependencies: ['@shop/shared'] },
      'apps/orders': { name: '@shop/orders', dependencies: ['@shop/testing'] },
    });
    writeReports(root, 'libs/testing', [
      { file: 'test/emulators.test.ts', tests: [{ titles: ['starts'], status: 'failed' }] },
    ]);

    const summary = summarize(root);

    expect(summary.ok).toBe(false);
    expect(summary.text).toContain('  libs/shared     no test report');
    expect(summary.text).toContain('  ✗ libs/shared (@shop/shared)\n      no test report from this run');
    expect(summary.text).toContain('  ✗ libs/testing (@shop/testing)\n');
    expect(summary.text).toContain(
      '  ✗ apps/orders (@shop/orders): possibly a knock-on: fails where @shop/shared and @shop/testing, which it depends on, failed',
    );
  });

  it('names test files inside their project when the report was written in another checkout and restored from the cache', () => {
    const root = workspace(shop);
    for (const folder of ['libs/shared', 'apps/orders', 'infra', 'tools/workshop']) {
      writeReports(root, folder, [passing('test/a.test.ts')]);
    }
    writeReports(
      root,
      'tools/rename',
      [{ file: 'test/rename-copy.test.ts', tests: [{ titles: ['builds'], status: 'failed' }] }],
      '/home/runner/work/shop',
    );

    expect(summarize(root).text).toContain('        tools/rename/test/rename-copy.test.ts > builds\n');
  });

  it('fails, saying so, when nx failed although every test report passed', () => {
    const root = workspace(shop);
    for (const folder of ['libs/shared', 'apps/orders', 'infra', 'tools/workshop', 'tools/rename']) {
      writeReports(root, folder, [passing('test/a.test.ts')]);
    }
    const lintFailed = `Failed tasks:\n\n- @shop/bundling:lint\n- @shop/orders:typecheck\n`;

    const named = summarize(root, parseNxOutput(1, lintFailed));
    const unnamed = summarize(root, parseNxOutput(1, 'Error: Cannot find configuration for task'));

    expect(named.ok).toBe(false);
    expect(named.text).toContain(
      [
        'What failed (nx exited with status 1)',
        '  Every test that ran passed, but nx tasks failed: @shop/bundling:lint, @shop/orders:typecheck',
        '  ✗ apps/orders (@shop/orders)',
        '      nx task @shop/orders:typecheck failed: search the output above for "nx run @shop/orders:typecheck"',
        '  ✗ tools/bundling (@shop/bundling)',
        '      nx task @shop/bundling:lint failed: search the output above for "nx run @shop/bundling:lint"',
      ].join('\n'),
    );
    expect(unnamed.ok).toBe(false);
    expect(unnamed.text).toContain(
      'Every test that ran passed, but nx failed without naming a failed task: see its output above',
    );
  });
});

describe("nx's output", () => {
  it('gives the tasks that failed and those not run, in colour or not', () => {
    const coloured = nxFailure.replace(/^(Failed tasks:|- )/gm, '\u001b[2m$1\u001b[22m');

    for (const output of [nxFailure, coloured]) {
      expect(parseNxOutput(1, `> nx run @shop/orders:lint\n- not a task\n${output}`)).toEqual({
        status: 1,
        failedTasks: ['@shop/orders:lint', '@shop/orders:build', '@shop/workspace:test'],
        tasksNotRun: ['@shop/orders:test', '@shop/infra:build', '@shop/infra:test'],
      });
    }
  });
});

describe("this workspace's projects", () => {
  it('tell the summary that the workshop and rename run the tests of infra and the services', () => {
    const projects = workspaceProjects(workspaceRoot);

    for (const runner of ['@shop/workshop', '@shop/rename']) {
      expect([...dependenciesOf(projects, runner)]).toEqual(
        expect.arrayContaining(['@shop/infra', '@shop/orders', '@shop/shared']),
      );
    }
    expect(projects.find((project) => project.folder === join('tools', 'workspace'))?.hasTests).toBe(true);
  });
});
