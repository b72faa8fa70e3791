#!/usr/bin/env node
// Builds the flow page (web/) into dist/web: the TypeScript bundled by esbuild, the HTML and CSS
// copied. Runs in the local cloud's nx build target, so the result is cached like the handler bundles.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const webDir = join(appDir, 'web');
const outDir = join(appDir, 'dist', 'web');

const started = performance.now();
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
await build({
  entryPoints: [join(webDir, 'app.ts')],
  outfile: join(outDir, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
await Promise.all(['index.html', 'app.css'].map((file) => copyFile(join(webDir, file), join(outDir, file))));
console.log(`Bundled the flow page into dist/web in ${Math.round(performance.now() - started)} ms`);
