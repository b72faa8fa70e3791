import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join, resolve } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * How a service's handlers are bundled: the options of bundle-handlers.mjs (the services' nx build)
 * and of npm start's watcher (tools/e2e/src/watch), which rebuilds one bundle at a time with them.
 */
export const repositoryRoot = resolve(import.meta.dirname, '../../..');

/** The service's handlers, `src/handlers/<name>.ts` (tests left out), by name, sorted. */
export function handlerNames(appDir: string): string[] {
  return readdirSync(join(appDir, 'src', 'handlers'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

/** Each handler into its own folder, `<appDir>/dist/<handler>/index.mjs`, with its source map. */
export function handlerBuildOptions(appDir: string, handlers: readonly string[]) {
  return {
    entryPoints: Object.fromEntries(
      handlers.map((name) => [`${name}/index`, join(appDir, 'src', 'handlers', `${name}.ts`)]),
    ),
    outdir: join(appDir, 'dist'),
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
    alias: {
      '@aws-sdk/credential-provider-node': join(repositoryRoot, 'libs/shared/src/lambda-credentials.ts'),
    },
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
  } satisfies BuildOptions;
}

/**
 * Node built-ins through require() instead of import: Node builds an ES module facade of a built-in
 * on its first import by reading every export, and node:http's include the lazy fetch and WebSocket
 * getters, which load undici (~25 ms of every cold start, for an HTTP client that never uses it).
 * require() returns the module object as it is. The banner above defines require. Dynamic imports
 * too: the SDK's HTTP handler loads node:http with `import()` when it makes its first agent, on the
 * first invocation.
 */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const builtinsThroughRequire: Plugin = {
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
