import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const folders: string[] = [];
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => key !== 'CI' && !key.startsWith('GIT_')),
);

/** A git checkout with this repository's Biome settings, hooks and node_modules. */
function aCheckout(): string {
  const folder = mkdtempSync(join(tmpdir(), 'guardrails-'));
  folders.push(folder);
  mkdirSync(join(folder, '.githooks'));
  mkdirSync(join(folder, 'tools/workspace/src'), { recursive: true });
  for (const file of [
    'biome.json',
    '.gitignore',
    '.githooks/pre-commit',
    'tools/workspace/src/install-git-hooks.mjs',
  ]) {
    copyFileSync(join(root, file), join(folder, file));
  }
  symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
  execFileSync('git', ['init', '-q'], { cwd: folder, env });
  return folder;
}

const installHooks = (folder: string, extraEnv: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['tools/workspace/src/install-git-hooks.mjs'], {
    cwd: folder,
    env: { ...env, ...extraEnv },
  });

const commit = (folder: string) =>
  spawnSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-q', '-m', 'test'],
    {
      cwd: folder,
      env,
      encoding: 'utf8',
    },
  );

const focusedTest = "import { it } from 'vitest';\n\nit.only('runs alone', () => {});\n";
const cleanTest =
  "import { expect, it } from 'vitest';\n\nit('adds', () => {\n  expect(1 + 1).toBe(2);\n});\n";

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('contributor guardrails', () => {
  it('makes focused and skipped tests lint errors', () => {
    const biome = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8'));
    expect(biome.linter.rules.suspicious).toMatchObject({ noFocusedTests: 'error', noSkippedTests: 'error' });
  });

  it('installs the pre-commit hook, which refuses a commit that stages a focused test', () => {
    const folder = aCheckout();
    expect(installHooks(folder).status).toBe(0);
    expect(execFileSync('git', ['config', 'core.hooksPath'], { cwd: folder, encoding: 'utf8' }).trim()).toBe(
      '.githooks',
    );
    writeFileSync(join(folder, 'sum.test.ts'), focusedTest);
    execFileSync('git', ['add', 'sum.test.ts'], { cwd: folder });
    const refused = commit(folder);
    expect(refused.status).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain('noFocusedTests');
  });

  it('checks the staged files only: an unstaged broken file does not block a clean commit', () => {
    const folder = aCheckout();
    installHooks(folder);
    writeFileSync(join(folder, 'sum.test.ts'), cleanTest);
    writeFileSync(join(folder, 'draft.test.ts'), focusedTest);
    execFileSync('git', ['add', 'sum.test.ts'], { cwd: folder });
    const result = commit(folder);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/Checked 1 file /);
  });

  it('leaves git alone in CI', () => {
    const folder = aCheckout();
    expect(installHooks(folder, { CI: 'true' }).status).toBe(0);
    expect(spawnSync('git', ['config', 'core.hooksPath'], { cwd: folder }).status).toBe(1);
  });
});
