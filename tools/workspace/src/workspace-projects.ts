import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A workspace package as the test summary sees it. */
export interface WorkspaceProject {
  /** Its folder, relative to the workspace root: `libs/shared`, `infra`. */
  folder: string;
  /** Its package name, which nx uses as the project name: `@shop/shared`. */
  name: string;
  hasTests: boolean;
  /**
   * The other workspace packages it needs: its dependencies and devDependencies, and the projects
   * its `nx.implicitDependencies` names (a project that runs another's tests without importing it).
   */
  dependsOn: string[];
}

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  nx?: { implicitDependencies?: string[] };
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Every workspace of the root package.json (`libs/*`, `apps/*`, `infra`, ...) that has a package.json. */
export function workspaceProjects(root: string): WorkspaceProject[] {
  const { workspaces } = readJson<{ workspaces: string[] }>(join(root, 'package.json'));
  const folders = workspaces
    .flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
        : [pattern],
    )
    .filter((folder) => existsSync(join(root, folder, 'package.json')));
  const manifests = folders.map((folder) => ({
    folder,
    manifest: readJson<Manifest>(join(root, folder, 'package.json')),
  }));
  const names = new Set(manifests.map(({ manifest }) => manifest.name));
  return manifests.map(({ folder, manifest }) => ({
    folder,
    name: manifest.name,
    hasTests: Boolean(manifest.scripts?.test),
    dependsOn: [
      ...new Set([
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.devDependencies ?? {}),
        ...(manifest.nx?.implicitDependencies ?? []),
      ]),
    ].filter((name) => names.has(name) && name !== manifest.name),
  }));
}

/** The projects a project depends on, directly or through others, itself left out. */
export function dependenciesOf(projects: readonly WorkspaceProject[], name: string): Set<string> {
  const byName = new Map(projects.map((project) => [project.name, project]));
  const reached = new Set<string>();
  const pending = [...(byName.get(name)?.dependsOn ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (reached.has(next) || next === name) continue;
    reached.add(next);
    pending.push(...(byName.get(next)?.dependsOn ?? []));
  }
  return reached;
}

/**
 * For each failed project, the failed projects it depends on: it may fail only because they do.
 * Two projects that depend on each other (libs/shared and libs/testing, through devDependencies)
 * say nothing about which failed first, so neither is named as the other's cause.
 */
export function possibleCauses(
  projects: readonly WorkspaceProject[],
  failed: ReadonlySet<string>,
): Map<string, string[]> {
  const dependencies = new Map([...failed].map((name) => [name, dependenciesOf(projects, name)]));
  const causes = new Map<string, string[]>();
  for (const [name, reached] of dependencies) {
    const failedBelow = [...reached]
      .filter((other) => failed.has(other) && !dependencies.get(other)?.has(name))
      .sort();
    if (failedBelow.length > 0) causes.set(name, failedBelow);
  }
  return causes;
}
