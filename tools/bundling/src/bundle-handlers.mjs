#!/usr/bin/env node
// Bundles every handler of the app in the current directory into its own folder,
// dist/<handler>/index.mjs, so infra can point Code.fromAsset at one folder per function.
// Usage (from a service's package.json): node ../../tools/bundling/src/bundle-handlers.mjs
import { readdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { rootSourceMapAtRepository } from './repository-source-map.ts';

const appDir = process.cwd();
const repoRoot = resolve(import.meta.dirname, '../../..');
const handlersDir = join(appDir, 'src', 'handlers');
const outDir = join(appDir, 'dist');

const handlers = (await readdir(handlersDir))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();
if (handlers.length === 0) {
  console.error(`No handlers found in ${handlersDir}`);
  process.exit(1);
}

/**
 * Node built-ins through require() instead of import: Node builds an ES module facade of a built-in
 * on its first import by reading every export, and node:http's include the lazy fetch and WebSocket
 * getters, which load undici (~25 ms of every cold start, for an HTTP client that never uses it).
 * require() returns the module object as it is. The banner below defines require. Dynamic imports
 * too: the SDK's HTTP handler loads node:http with `import()` when it makes its first agent, on the
 * first invocation.
 */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const builtinsThroughRequire = {
  name: 'builtins-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, ({ path, kind }) =>
      (kind === 'import-statement' || kind === 'dynamic-import') && builtins.has(path)
        ? { path: path.startsWith('node:') ? path : `node:${path}`, namespace: 'builtin-require' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

await rm(outDir, { recursive: true, force: true });
const started = performance.now();
const result = await build({
  entryPoints: Object.fromEntries(handlers.map((name) => [`${name}/index`, join(handlersDir, `${name}.ts`)])),
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer the ESM builds of dependencies: the AWS SDK's are about a third smaller.
  mainFields: ['module', 'main'],
  // The Lambda Node.js runtime ships no AWS SDK we want to depend on: bundle ours, pinned.
  external: [],
  // Credentials from the environment only, as Lambda provides them: the SDK's default chain brings
  // nested STS and SSO clients (61 KiB) that a function never uses (libs/shared/src/lambda-credentials.ts).
  alias: { '@aws-sdk/credential-provider-node': join(repoRoot, 'libs/shared/src/lambda-credentials.ts') },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: {
    js: 'import{createRequire as __createRequire}from"node:module";const require=__createRequire(import.meta.url);',
  },
  legalComments: 'none',
  // No keepNames (it cost ~30 KiB a bundle): error classes name themselves in a literal, because
  // Step Functions retries and catches on error names (apps/payments/test/bundles.test.ts).
  plugins: [builtinsThroughRequire],
  metafile: true,
  logLevel: 'warning',
});
await writeFile(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
// Stack traces name the repository's files wherever the bundle runs (repository-source-map.ts).
await Promise.all(
  handlers.map((name) => rootSourceMapAtRepository(join(outDir, name, 'index.mjs.map'), repoRoot)),
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
