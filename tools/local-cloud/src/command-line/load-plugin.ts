import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocalCloudPlugin } from '../plugin.ts';
import { UsageError } from './cli-options.ts';

/**
 * The plugin of `--plugin MODULE`: a path (relative to the current folder), or a package resolved
 * from the current folder as Node would from a file there. Its default export is the plugin.
 */
export async function loadPlugin(specifier: string): Promise<LocalCloudPlugin> {
  const path =
    specifier.startsWith('.') || isAbsolute(specifier)
      ? resolve(specifier)
      : createRequire(join(process.cwd(), 'package.json')).resolve(specifier);
  const loaded = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const plugin = loaded.default;
  if (
    typeof plugin !== 'object' ||
    plugin === null ||
    typeof (plugin as { name?: unknown }).name !== 'string'
  ) {
    throw new UsageError(`--plugin ${specifier}: its default export is not a plugin (an object with a name)`);
  }
  return plugin as LocalCloudPlugin;
}
