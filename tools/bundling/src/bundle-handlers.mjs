#!/usr/bin/env node
// Bundles every handler of the app in the current directory into its own folder,
// dist/<handler>/index.mjs, so infra can point Code.fromAsset at one folder per function.
// Usage (from a service's package.json): node ../../tools/bundling/src/bundle-handlers.mjs
// The options, and why each is set: handler-build.ts.
import { rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { handlerBuildOptions, handlerNames, repositoryRoot } from './handler-build.ts';
import { rootSourceMapAtRepository } from './repository-source-map.ts';

const appDir = process.cwd();
const outDir = join(appDir, 'dist');

const handlers = handlerNames(appDir);
if (handlers.length === 0) {
  console.error(`No handlers found in ${join(appDir, 'src', 'handlers')}`);
  process.exit(1);
}

await rm(outDir, { recursive: true, force: true });
const started = performance.now();
const result = await build(handlerBuildOptions(appDir, handlers));
await writeFile(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
// Stack traces name the repository's files wherever the bundle runs (repository-source-map.ts).
await Promise.all(
  handlers.map((name) => rootSourceMapAtRepository(join(outDir, name, 'index.mjs.map'), repositoryRoot)),
);

const rows = handlers.map((name) => {
  const output =
    result.metafile.outputs[`dist/${name}/index.mjs`] ??
    result.metafile.outputs[join(outDir, name, 'index.mjs')];
  return { handler: name, kB: output ? (output.bytes / 1024).toFixed(1) : '?' };
});
const elapsed = Math.round(performance.now() - started);
console.log(`Bundled ${handlers.length} handler(s) of ${basename(appDir)} in ${elapsed} ms:`);
for (const row of rows) console.log(`  dist/${row.handler}/index.mjs  ${row.kB} kB`);
