import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRename, currentNames, describePlan, planRename } from '../src/rename.mjs';
import { namesOtherThan } from './other-names.ts';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const temporaryRepositories: string[] = [];

/** A small git checkout with the shapes the rename meets: packages, code, docs, a binary, ignored files. */
function aRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'rename-fixture-'));
  temporaryRepositories.push(root);
  const files: Record<string, string | Buffer> = {
    '.gitignore': 'dist/\n',
    'package.json': JSON.stringify({ name: 'corner-store', workspaces: ['libs/*', 'infra'] }, null, 2),
    'libs/shared/package.json': JSON.stringify({ name: '@corner/shared' }),
    'infra/package.json': JSON.stringify({
      name: '@corner/infra',
      dependencies: { '@corner/shared': '0.1.0' },
    }),
    'infra/src/corner-store-stage.ts':
      "import { x } from '@corner/shared';\nexport class CornerStoreStage {}\nconst path = '/corner-store/dev-alice/data';\n",
    'infra/src/untouched.ts': 'export const nothingToRename = 1;\n',
    'README.md': '# Corner Store\n\nDeploys stacks named corner-store-<stage>-<stack>.\n',
    'docs/corner-store-logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
    'dist/bundle.js': 'ignored: corner-store\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  // Another engineer's new file, not yet added: renamed too, because .gitignore does not exclude it.
  writeFileSync(join(root, 'NOTES.md'), 'Corner store notes: @corner/infra\n');
  return root;
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');
const target = { scope: '@acme', app: 'acme-shop' };

afterEach(() => {
  for (const root of temporaryRepositories.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('rename: planning and applying', () => {
  it('reads the current names from the root package and the workspace packages', () => {
    expect(currentNames(aRepository())).toEqual({ scope: '@corner', app: 'corner-store' });
  });

  it('lists every file it would change, content and path, before writing anything', () => {
    const root = aRepository();
    const plan = planRename(root, target);
    expect(describePlan(plan).sort()).toEqual(
      [
        '  M NOTES.md',
        '  M README.md',
        '  M infra/package.json',
        '  M libs/shared/package.json',
        '  M package.json',
        '  R docs/corner-store-logo.png → docs/acme-shop-logo.png',
        '  RM infra/src/corner-store-stage.ts → infra/src/acme-shop-stage.ts',
      ].sort(),
    );
    expect(read(root, 'package.json')).toContain('corner-store');
  });

  it('renames contents and paths, keeps binary bytes, and leaves ignored files alone', () => {
    const root = aRepository();
    applyRename(root, planRename(root, target));
    expect(read(root, 'infra/src/acme-shop-stage.ts')).toBe(
      "import { x } from '@acme/shared';\nexport class AcmeShopStage {}\nconst path = '/acme-shop/dev-alice/data';\n",
    );
    expect(JSON.parse(read(root, 'infra/package.json'))).toEqual({
      name: '@acme/infra',
      dependencies: { '@acme/shared': '0.1.0' },
    });
    expect(read(root, 'README.md')).toBe('# Acme Shop\n\nDeploys stacks named acme-shop-<stage>-<stack>.\n');
    expect(read(root, 'NOTES.md')).toBe('Acme shop notes: @acme/infra\n');
    expect(readFileSync(join(root, 'docs/acme-shop-logo.png'))).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
    );
    expect(read(root, 'dist/bundle.js')).toBe('ignored: corner-store\n');
    expect(currentNames(root)).toEqual(target);
  });

  it('changes nothing on a second run with the same names', () => {
    const root = aRepository();
    applyRename(root, planRename(root, target));
    expect(planRename(root, target).changes).toEqual([]);
  });

  it('renames only the scope when only --scope is given', () => {
    const root = aRepository();
    applyRename(root, planRename(root, { scope: '@acme' }));
    expect(currentNames(root)).toEqual({ scope: '@acme', app: 'corner-store' });
    expect(read(root, 'README.md')).toContain('# Corner Store');
  });
});

describe('rename: the command', () => {
  // On a fresh clone rename runs before npm ci, on the system Node, which may not strip types (Node 20):
  // this Node without type stripping stands in for it.
  const withoutTypeStripping = '--no-experimental-strip-types';
  const rename = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [withoutTypeStripping, join(repositoryRoot, 'tools/rename/src/rename.mjs'), ...args],
      {
        encoding: 'utf8',
      },
    );

  it('runs as plain JavaScript, so a Node without type stripping can run it before npm ci', () => {
    const manifest = JSON.parse(read(repositoryRoot, 'package.json')) as { scripts: Record<string, string> };
    expect(manifest.scripts.rename).toBe('node tools/rename/src/rename.mjs');
    const scripts = readdirSync(join(repositoryRoot, 'tools/rename/src')).filter((file) =>
      /^rename.*\.mjs$/.test(file),
    );
    expect(scripts.sort()).toEqual(['rename-names.mjs', 'rename.mjs']);
    for (const script of scripts) {
      const url = pathToFileURL(join(repositoryRoot, 'tools/rename/src', script)).href;
      const result = spawnSync(
        process.execPath,
        [withoutTypeStripping, '--input-type=module', '--eval', `await import(${JSON.stringify(url)});`],
        { encoding: 'utf8' },
      );
      expect({ script, status: result.status, stderr: result.stderr }).toEqual({
        script,
        status: 0,
        stderr: '',
      });
    }
  });

  it('lists the files a dry run would change on this repository and changes none', () => {
    const before = read(repositoryRoot, 'package.json');
    const other = namesOtherThan(currentNames(repositoryRoot));
    const result = rename('--scope', other.scope, '--app', other.app, '--dry-run');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Would change \d+ files .*nothing written \(--dry-run\)/);
    expect(result.stdout).toContain('  M package.json\n');
    expect(result.stdout).toContain('  M package-lock.json\n');
    expect(result.stdout).toContain(` → infra/src/${other.app}-stage.ts\n`);
    expect(read(repositoryRoot, 'package.json')).toBe(before);
  });

  it('refuses an invalid name with a clear message and exit code 1', () => {
    const result = rename('--scope', '@acme', '--app', 'Acme Shop');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Invalid app name "Acme Shop": use lowercase letters/);
  });

  it('prints its usage when no name is given', () => {
    const result = rename('--dry-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: npm run rename -- --scope @acme --app acme-shop [--dry-run]');
  });
});
