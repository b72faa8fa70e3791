#!/usr/bin/env node
// Renames the npm scope and the app name everywhere in the repository, in one pass:
//   npm run rename -- --scope @acme --app acme-shop [--dry-run]
// It works on the files git knows (tracked, plus new ones .gitignore does not exclude), whatever
// they are, so a file added tomorrow is renamed too. What it touches: CONTRIBUTING.md, "Renaming".
// Plain JavaScript with JSDoc types, and no dependency: on a fresh clone it runs before `npm ci`, so
// on the system Node (any Node >= 18.3, for parseArgs), which may not strip TypeScript types.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  InvalidNameError,
  renameText,
  replacements,
  validateAppName,
  validateScope,
} from './rename-names.mjs';

/** @typedef {import('./rename-names.mjs').ProjectNames} ProjectNames */
/** @typedef {import('./rename-names.mjs').Replacement} Replacement */

/**
 * One file the rename changes: its content, its path, or both.
 * @typedef {object} FileChange
 * @property {string} path
 * @property {string} newPath
 * @property {string} [content] The new content; unset when only the path changes (binary files keep their bytes).
 */

/**
 * @typedef {object} RenamePlan
 * @property {ProjectNames} from
 * @property {ProjectNames} to
 * @property {readonly Replacement[]} replacements
 * @property {readonly FileChange[]} changes
 */

export class RenameError extends Error {
  /** @override @readonly */
  name = 'RenameError';
}

/**
 * @param {string} file
 * @returns {{ name?: unknown, workspaces?: unknown }}
 */
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * The folders of the root package.json's workspaces (`libs/*`, `infra`, ...) that hold a package.
 * @param {string} root
 * @returns {string[]}
 */
export function workspaceFolders(root) {
  const manifest = readJson(join(root, 'package.json'));
  const patterns = Array.isArray(manifest.workspaces) ? /** @type {string[]} */ (manifest.workspaces) : [];
  return patterns
    .flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => join(root, pattern.slice(0, -2), entry.name))
        : [join(root, pattern)],
    )
    .filter((folder) => existsSync(join(folder, 'package.json')));
}

/**
 * The names the repository has now: the root package's name and its workspace packages' scope.
 * @param {string} root
 * @returns {ProjectNames}
 */
export function currentNames(root) {
  const manifest = readJson(join(root, 'package.json'));
  if (typeof manifest.name !== 'string') throw new RenameError('The root package.json has no "name".');
  const scopes = new Set(
    workspaceFolders(root)
      .map((folder) => readJson(join(folder, 'package.json')).name)
      .filter(/** @returns {name is string} */ (name) => typeof name === 'string' && name.startsWith('@'))
      .map((name) => name.split('/')[0] ?? name),
  );
  if (scopes.size !== 1) {
    throw new RenameError(
      `Expected every workspace package under one npm scope, found ${scopes.size === 0 ? 'none' : [...scopes].join(', ')}.`,
    );
  }
  return { scope: [...scopes][0] ?? '', app: manifest.name };
}

/**
 * Tracked files plus untracked ones that .gitignore does not exclude, relative, with `/`.
 * @param {string} root
 * @returns {string[]}
 */
export function repositoryFiles(root) {
  /** @type {string} */
  let listing;
  try {
    listing = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new RenameError(
      `rename works on a git checkout and could not list its files (${/** @type {Error} */ (error).message.split('\n')[0]}). ` +
        'From a downloaded archive, run `git init && git add -A` first.',
    );
  }
  // A tracked file deleted in the work tree is still listed; symlinks keep their target.
  return [...new Set(listing.split('\0'))].filter((path) => {
    if (path === '') return false;
    const stat = lstatSync(join(root, path), { throwIfNoEntry: false });
    return stat?.isFile() === true;
  });
}

/**
 * Text content, or undefined for a binary file (a NUL byte, or bytes that are not UTF-8).
 * @param {Buffer} bytes
 * @returns {string | undefined}
 */
function textOf(bytes) {
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

/**
 * Every change the rename makes, computed before anything is written.
 * @param {string} root
 * @param {Partial<ProjectNames>} target
 * @returns {RenamePlan}
 */
export function planRename(root, target) {
  const from = currentNames(root);
  const to = { scope: target.scope ?? from.scope, app: target.app ?? from.app };
  const pairs = replacements(from, to);
  /** @type {FileChange[]} */
  const changes = [];
  if (pairs.length > 0) {
    const files = repositoryFiles(root);
    for (const path of files) {
      const newPath = renameText(path, pairs);
      const text = textOf(readFileSync(join(root, path)));
      const content = text === undefined ? undefined : renameText(text, pairs);
      const contentChanged = content !== undefined && content !== text;
      if (newPath === path && !contentChanged) continue;
      changes.push({ path, newPath, ...(contentChanged ? { content } : {}) });
    }
    const clashes = changes.filter(
      (change) => change.newPath !== change.path && existsSync(join(root, change.newPath)),
    );
    if (clashes.length > 0) {
      throw new RenameError(
        `Renaming would overwrite existing files: ${clashes.map((c) => `${c.path} → ${c.newPath}`).join(', ')}.`,
      );
    }
  }
  return { from, to, replacements: pairs, changes };
}

/**
 * Writes a plan: new contents, moved files, and removes the folders a move left empty.
 * @param {string} root
 * @param {RenamePlan} plan
 * @returns {void}
 */
export function applyRename(root, plan) {
  for (const change of plan.changes) {
    const source = join(root, change.path);
    const target = join(root, change.newPath);
    const bytes = change.content === undefined ? readFileSync(source) : Buffer.from(change.content, 'utf8');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes, { mode: lstatSync(source).mode });
    if (target !== source) {
      unlinkSync(source);
      removeEmptyFolders(root, dirname(source));
    }
  }
}

/**
 * @param {string} root
 * @param {string} folder
 * @returns {void}
 */
function removeEmptyFolders(root, folder) {
  let current = folder;
  while (current !== root && current.startsWith(root) && readdirSync(current).length === 0) {
    rmdirSync(current);
    current = dirname(current);
  }
}

/**
 * Biome's safe fixes on the renamed files: a new scope sorts differently (`@acme/shared` comes before
 * `@aws-sdk/...`, `@shop/shared` after), and import order is a lint rule here. Uses the installed
 * Biome, else the version package.json pins, through npx. Returns Biome's exit code.
 * @param {string} root
 * @param {readonly string[]} paths
 * @returns {number}
 */
export function formatRenamed(root, paths) {
  const local = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');
  const manifest = /** @type {{ devDependencies?: Record<string, string> }} */ (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  );
  const version = manifest.devDependencies?.['@biomejs/biome'];
  const args = ['check', '--write', '--files-ignore-unknown=true', '--no-errors-on-unmatched', ...paths];
  /** @type {[string, string[]]} */
  const [command, commandArgs] = existsSync(local)
    ? [local, args]
    : ['npx', ['--yes', `@biomejs/biome${version ? `@${version}` : ''}`, ...args]];
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  return result.status ?? 1;
}

/**
 * @param {RenamePlan} plan
 * @returns {string[]}
 */
export function describePlan(plan) {
  return plan.changes.map((change) =>
    change.newPath === change.path
      ? `  M ${change.path}`
      : `  ${change.content === undefined ? 'R' : 'RM'} ${change.path} → ${change.newPath}`,
  );
}

const USAGE = `Usage: npm run rename -- --scope @acme --app acme-shop [--dry-run]
  --scope    the npm scope of every workspace package (now the scope of libs/shared)
  --app      the app name: root package, stack names, physical names, SSM paths, event sources, docs
  --dry-run  list every file that would change, and change none`;

/**
 * @param {string[]} argv
 * @returns {number}
 */
function main(argv) {
  /** @type {{ scope?: string, app?: string, 'dry-run'?: boolean, help?: boolean }} */
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scope: { type: 'string' },
        app: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${/** @type {Error} */ (error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help || (values.scope === undefined && values.app === undefined)) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  try {
    const target = {
      ...(values.scope === undefined ? {} : { scope: validateScope(values.scope) }),
      ...(values.app === undefined ? {} : { app: validateAppName(values.app) }),
    };
    const plan = planRename(root, target);
    const names = `${plan.from.scope} → ${plan.to.scope}, ${plan.from.app} → ${plan.to.app}`;
    if (plan.changes.length === 0) {
      console.log(`Nothing to change: the repository already uses ${plan.to.scope} and ${plan.to.app}.`);
      return 0;
    }
    const lines = describePlan(plan);
    if (values['dry-run']) {
      console.log(`Would change ${plan.changes.length} files (${names}); nothing written (--dry-run):`);
      console.log(lines.join('\n'));
      return 0;
    }
    applyRename(root, plan);
    console.log(lines.join('\n'));
    console.log(
      `Renamed ${names} in ${plan.changes.length} files. Sorting imports and formatting them (Biome)...`,
    );
    const formatted = formatRenamed(
      root,
      plan.changes.filter((change) => change.content !== undefined).map((change) => change.newPath),
    );
    if (formatted !== 0) {
      console.error(
        'Biome could not fix everything above: fix it, or run `npx biome check --write .` after npm ci.',
      );
      return 1;
    }
    console.log(
      `Next: npm ci (node_modules still links the ${plan.from.scope} packages), then npm test, and commit.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof InvalidNameError || error instanceof RenameError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exit(main(process.argv.slice(2)));
}
