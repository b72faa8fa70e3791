import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Rewrites a bundle's source map so that it names every source from the repository's root, under a
 * `sourceRoot` that leads there from the bundle's folder: `sourceRoot: "../../../../"` and
 * `sources: ["apps/orders/src/domain/place-order.ts", …]` where esbuild wrote `../../src/domain/…`.
 * - Run where it was built, Node resolves a stack frame to the real file, as before.
 * - On Lambda the bundle is /var/task/index.mjs and `..` stops at /: frames read
 *   `/apps/orders/src/domain/place-order.ts:12`, the repository's path (esbuild's relative paths gave
 *   `/src/domain/…`, which names no service), and nothing of the developer's machine.
 * - Anywhere else (the copy in a CDK assembly, `cdk.out/asset.<hash>/`), a runner that knows where the
 *   repository is only has to replace `sourceRoot`: the local cloud does (its src/lambda/source-root.ts).
 * Sources outside the file system (the `builtin-require:` modules of the bundle's plugin) are kept.
 * A package esbuild found outside the repository through a linked node_modules (a workspace copy that
 * links the original's packages) is named from its `node_modules/` folder, where the repository links it.
 */
export async function rootSourceMapAtRepository(mapFile: string, repositoryRoot: string): Promise<void> {
  const mapDir = dirname(mapFile);
  const text = await readFile(mapFile, 'utf8');
  await writeFile(mapFile, rootedSourceMap(text, { builtIn: mapDir, placedIn: mapDir, repositoryRoot }));
}

/**
 * The same for a map still in memory (esbuild's `write: false`): `builtIn` is the folder esbuild
 * wrote its paths from, `placedIn` the one the map will be written to. Returns the map's text.
 */
export function rootedSourceMap(
  text: string,
  where: { builtIn: string; placedIn: string; repositoryRoot: string },
): string {
  const { builtIn, repositoryRoot } = where;
  const map = JSON.parse(text) as { sources: string[]; sourceRoot?: string };
  const toRepository = (path: string) => relative(repositoryRoot, path).split(sep).join('/');
  map.sources = map.sources.map((source) => {
    if (/^[a-z-]+:/.test(source)) return source;
    const path = resolve(builtIn, map.sourceRoot ?? '', source);
    const fromRoot = toRepository(path);
    if (!isAbsolute(fromRoot) && !fromRoot.startsWith('..')) return fromRoot;
    const posixPath = path.split(sep).join('/');
    const linkedPackage = posixPath.indexOf('/node_modules/');
    if (linkedPackage >= 0) return posixPath.slice(linkedPackage + 1);
    throw new Error(`${builtIn}: the source ${source} is outside the repository ${repositoryRoot}`);
  });
  map.sourceRoot = `${relative(where.placedIn, repositoryRoot).split(sep).join('/')}/`;
  return JSON.stringify(map);
}
