import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyRepository, type RepositoryCopy } from '@shop/testing/repository-copy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentNames, workspaceFolders } from '../src/rename.mjs';
import { namesOtherThan } from './other-names.ts';

/**
 * The acceptance test of `npm run rename`: rename a copy of this repository, then build it, run its
 * unit tests and synthesize it, and find no trace of the old names in any file outside .git.
 *
 * Speed: the copy reuses this checkout's node_modules (each package linked, the workspace packages
 * linked again under the new scope, which is what npm ci would produce) instead of installing:
 * `npm ci --offline` in a renamed copy took 22.7 s here, the links take milliseconds. The copy runs
 * the unit and infra tests of the library, the services and infra; the local cloud's end-to-end
 * tests add two minutes and exercise no name those do not, and this project's own would recurse.
 * The copy's run skips the nx cache: nx only trusts cache entries its own workspace recorded, so a
 * fresh copy never hits, and writing would only grow the cache. Measured: 64 s for the copy's build
 * and tests on an idle machine, 130 s with the rest of npm test running beside it; synth 14 s.
 */
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const oldNames = currentNames(repositoryRoot);
const newNames = namesOtherThan(oldNames);
const OLD_NAME = new RegExp(`${oldNames.scope}(?![a-z0-9])|${oldNames.app.split('-').join('[-_ ]?')}`, 'i');

let copy: RepositoryCopy;

/** Every file under a folder, .git and the linked node_modules left out. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.name === '.git' || entry.name === 'node_modules' || entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const packageName = (folder: string): string =>
  (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string }).name;

/** The folders of the projects whose build and tests the copy runs. */
function copiedProjects(): string[] {
  const { nx } = JSON.parse(readFileSync(join(repositoryRoot, 'tools/rename/package.json'), 'utf8')) as {
    nx: { implicitDependencies: string[] };
  };
  const folders = new Map(workspaceFolders(repositoryRoot).map((folder) => [packageName(folder), folder]));
  return nx.implicitDependencies.map((name) => {
    const folder = folders.get(name);
    if (!folder)
      throw new Error(`${name}, in tools/rename's nx.implicitDependencies, is no workspace package`);
    return relative(repositoryRoot, folder);
  });
}

beforeAll(() => {
  // The copy has the installed packages, as after `npm ci`: rename sorts the renamed imports with Biome.
  copy = copyRepository(repositoryRoot, 'rename-copy');
  copy.run(process.execPath, [
    'tools/rename/src/rename.mjs',
    '--scope',
    newNames.scope,
    '--app',
    newNames.app,
  ]);
  copy.linkWorkspaces();
}, 60_000);

afterAll(() => copy?.remove());

describe('rename: a renamed copy of the repository', () => {
  it('builds, passes its lint and unit tests, and synthesizes under the new names only', () => {
    // Named rather than all-but-some, so each project's report below is checked. The names are this
    // package's nx.implicitDependencies, which also tell the test summary that a failure of theirs
    // can fail this test: a new project joins there.
    const projects = copiedProjects();
    const names = projects.map((project) => packageName(join(copy.root, project)));
    copy.run('nx', [
      'run-many',
      '-t',
      'build',
      'lint',
      'test',
      `--projects=${names.join(',')}`,
      '--skip-nx-cache',
      '--outputStyle=static',
    ]);
    const reports = projects.map(
      (project) =>
        JSON.parse(readFileSync(join(copy.root, project, 'reports', 'vitest.json'), 'utf8')) as {
          numPassedTests: number;
          numFailedTests: number;
        },
    );
    expect(reports.every((report) => report.numPassedTests > 0 && report.numFailedTests === 0)).toBe(true);

    copy.run(process.execPath, ['infra/scripts/cdk.ts', 'synth', '--quiet']);
    const templates = readdirSync(join(copy.root, 'infra', 'cdk.out'), {
      recursive: true,
      encoding: 'utf8',
    }).filter((file) => file.endsWith('.template.json'));
    expect(templates.length).toBeGreaterThan(4);
    const stack = JSON.parse(readFileSync(join(copy.root, 'infra', 'cdk.out', 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { properties?: { stackName?: string } }>;
    };
    expect(Object.values(stack.artifacts).map((artifact) => artifact.properties?.stackName)).toContain(
      `${newNames.app}-pipeline`,
    );

    const traces = filesUnder(copy.root).filter(
      (file) => OLD_NAME.test(relative(copy.root, file)) || OLD_NAME.test(readFileSync(file, 'utf8')),
    );
    expect(traces.map((file) => relative(copy.root, file))).toEqual([]);
    expect(currentNames(copy.root)).toEqual(newNames);
  }, 600_000);
});
