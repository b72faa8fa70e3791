import { existsSync, readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Stack traces that name the real source files. A bundle's source map may name its sources from a
 * root (`sourceRoot: "../../../../"`, `sources: ["apps/tickets/src/domain/close-ticket.ts", …]`, as
 * tools/bundling writes them) that leads from the folder the bundle was built in to the repository.
 * The local cloud runs the copy in the CDK assembly (`cdk.out/asset.<hash>/`), from which that root
 * leads elsewhere, so Node's --enable-source-maps named files that do not exist. The main thread
 * finds where the sources are (`localSourceRoot`) and makes the map rooted there
 * (`rootedSourceMapUrl`), which each execution environment has Node read (`readSourceMapFrom`). This module imports only Node's built-ins: the worker loads
 * it outside any bundler.
 */

const SOURCE_MAPPING_URL = /\/\/# sourceMappingURL=(\S+)\s*$/;

/**
 * The folder the bundle's sources are under, when its map's own `sourceRoot` does not lead there:
 * the nearest folder above the bundle that holds them (the repository, when the assembly was
 * synthesized inside it). Undefined when there is nothing to correct or no such folder.
 */
export function localSourceRoot(handlerFile: string): string | undefined {
  const found = sourceMapOf(handlerFile);
  return found && sourcesFolder(found.mapFile, found.map);
}

/**
 * The bundle's source map rooted at `localSourceRoot`, as the data: URL an execution environment
 * reads it from; undefined when there is nothing to correct. Made once per function, in the main
 * thread: parsing and encoding half a megabyte in every new environment cost its cold start ~10 ms.
 */
export function rootedSourceMapUrl(handlerFile: string): string | undefined {
  const found = sourceMapOf(handlerFile);
  const root = found && sourcesFolder(found.mapFile, found.map);
  if (!found || !root) return undefined;
  const rooted = JSON.stringify({ ...found.map, sourceRoot: `${pathToFileURL(root).href}/` });
  return `data:application/json;base64,${Buffer.from(rooted).toString('base64')}`;
}

/**
 * Has Node read the handler's source map from `sourceMapUrl`: the bundle's sourceMappingURL comment
 * is replaced as the module loads. Does nothing unless source maps are on
 * (NODE_OPTIONS=--enable-source-maps, as on Lambda).
 */
export function readSourceMapFrom(handlerFile: string, sourceMapUrl: string): void {
  if (!process.sourceMapsEnabled) return;
  const handlerUrl = pathToFileURL(handlerFile).href;
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (url !== handlerUrl || loaded.source === undefined) return loaded;
      const source =
        typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source);
      return {
        ...loaded,
        source: source.replace(SOURCE_MAPPING_URL, `//# sourceMappingURL=${sourceMapUrl}`),
      };
    },
  });
}

interface SourceMap {
  sourceRoot?: unknown;
  sources?: unknown[];
}

function sourceMapOf(handlerFile: string): { mapFile: string; map: SourceMap } | undefined {
  const mapFile = mapFileOf(handlerFile, readFileSync(handlerFile, 'utf8'));
  const map = mapFile ? readMap(mapFile) : undefined;
  return mapFile && map ? { mapFile, map } : undefined;
}

function sourcesFolder(mapFile: string, map: SourceMap): string | undefined {
  if (typeof map.sourceRoot !== 'string' || !Array.isArray(map.sources)) return undefined;
  // The bundle's entry point comes last in esbuild's maps; virtual modules (`scheme:name`) are skipped.
  const probe = map.sources.findLast(
    (source): source is string => typeof source === 'string' && !/^[a-z-]+:/.test(source),
  );
  if (!probe) return undefined;
  const mapDir = dirname(mapFile);
  if (existsSync(resolve(mapDir, map.sourceRoot, probe))) return undefined;
  for (let folder = mapDir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, probe))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** The map file a bundle names in its last line; undefined for none, or an inline or remote one. */
function mapFileOf(handlerFile: string, source: string): string | undefined {
  const url = SOURCE_MAPPING_URL.exec(source.slice(-1024))?.[1];
  if (!url || /^[a-z]+:/i.test(url)) return undefined;
  return resolve(dirname(handlerFile), decodeURIComponent(url));
}

function readMap(mapFile: string): SourceMap | undefined {
  try {
    const map: unknown = JSON.parse(readFileSync(mapFile, 'utf8'));
    return typeof map === 'object' && map !== null ? map : undefined;
  } catch {
    return undefined;
  }
}
