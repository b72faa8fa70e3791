import type { Tree } from '@nx/devkit';

/**
 * Adds `text` to a file the generator extends, just before (or after) the first match of `anchor`.
 * A file whose anchor is gone was reshaped by hand: the generator stops and says where it looked,
 * rather than writing into the wrong place.
 */
export function insertAt(
  tree: Tree,
  path: string,
  where: { before: RegExp } | { after: RegExp },
  text: string,
): void {
  const source = readSource(tree, path);
  const anchor = 'before' in where ? where.before : where.after;
  const match = anchor.exec(source);
  if (!match) throw new Error(`${path} has no ${anchor} to add to: add the lines by hand, or restore it.`);
  const at = 'before' in where ? match.index : match.index + match[0].length;
  tree.write(path, source.slice(0, at) + text + source.slice(at));
}

export function readSource(tree: Tree, path: string): string {
  const source = tree.read(path, 'utf-8');
  if (source === null) throw new Error(`${path} is missing: the generator extends it.`);
  return source;
}

/**
 * Makes `name` importable from `module` in a TypeScript file: added to that module's import if the
 * file has one, else as an import of its own (Biome sorts both when the generator formats).
 */
export function addNamedImport(tree: Tree, path: string, name: string, module: string): void {
  const source = readSource(tree, path);
  const existing = new RegExp(
    `import \\{([^}]*)\\} from '${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}';`,
  ).exec(source);
  if (existing?.[1]?.split(',').some((imported) => imported.trim() === name)) return;
  tree.write(
    path,
    existing
      ? source.replace(
          existing[0],
          `import {${(existing[1] ?? '').replace(/,\s*$/, '')}, ${name} } from '${module}';`,
        )
      : `import { ${name} } from '${module}';\n${source}`,
  );
}
