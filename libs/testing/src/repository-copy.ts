import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';

/**
 * A copy of a repository in a temporary folder, for tests that change the repository's own files
 * (rename, generators) and then run its checks. The copy reuses the source checkout's installed
 * packages, each linked, instead of installing: `npm ci --offline` took 22.7 s here, the links take
 * milliseconds. Its own workspaces are linked under their names by `linkWorkspaces`, as npm ci
 * would, once their names are final.
 */
export interface RepositoryCopy {
  readonly root: string;
  /** Runs a command in the copy, with its node_modules/.bin first on PATH; throws with its output when it fails. */
  run(command: string, args: readonly string[]): string;
  /** Like `run`, but returns the outcome rather than throwing. */
  attempt(command: string, args: readonly string[]): { status: number | null; output: string };
  /** Links the copy's workspaces not linked yet, each under its package name. */
  linkWorkspaces(): void;
  remove(): void;
}

export function copyRepository(source: string, prefix: string): RepositoryCopy {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  for (const path of trackedAndNewFiles(source)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    copyFileSync(join(source, path), join(root, path));
  }
  // A fresh clone is a git checkout: tools that list files with git work in the copy too.
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  linkPackages(source, root);

  const attempt = (command: string, args: readonly string[]) => {
    const started = performance.now();
    // Nothing of the surrounding nx task or vitest worker may leak into the copy's own runs.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(NX_|VITEST|TINYPOOL)/.test(key)),
    );
    const result = spawnSync(command, args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}`, CI: 'true' },
      maxBuffer: 256 * 1024 * 1024,
    });
    console.log(`  copy: ${[command, ...args].join(' ')} (${Math.round(performance.now() - started)} ms)`);
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  };
  return {
    root,
    attempt,
    run(command, args) {
      const { status, output } = attempt(command, args);
      if (status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${root}:\n${output}`);
      return output;
    },
    linkWorkspaces() {
      for (const folder of workspaceFolders(root)) {
        const { name } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string };
        const link = join(root, 'node_modules', name);
        // Linked already: a test adds a workspace (a generated service) after the first links.
        if (existsSync(link)) continue;
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(relative(dirname(link), folder), link);
      }
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** What a commit would hold now: tracked files and new ones git does not ignore. */
function trackedAndNewFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((path) => path !== '' && existsSync(join(root, path)));
}

/** The source's installed packages, its own workspaces' scopes left out: the copy links its own. */
function linkPackages(source: string, root: string): void {
  const scopes = new Set(
    workspaceFolders(source).map(
      (folder) =>
        (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name: string }).name.split(
          '/',
        )[0],
    ),
  );
  const modules = join(source, 'node_modules');
  mkdirSync(join(root, 'node_modules'));
  for (const entry of readdirSync(modules)) {
    if (scopes.has(entry) || entry.startsWith('.package-lock')) continue;
    symlinkSync(join(modules, entry), join(root, 'node_modules', entry));
  }
}

/** The folders the root package.json's `workspaces` name (`apps/*` and the like). */
function workspaceFolders(root: string): string[] {
  const { workspaces = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  return workspaces
    .flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => join(root, pattern.slice(0, -2), entry.name))
        : [join(root, pattern)],
    )
    .filter((folder) => existsSync(join(folder, 'package.json')));
}
