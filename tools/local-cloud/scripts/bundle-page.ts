import { copyFile, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * Builds a flow page's browser code from a package's `web/` into its `dist/web`: the TypeScript
 * entry bundled by esbuild (an ES module, its imports inlined), the other files copied. The
 * engine's page is built with it (bundle-web.ts), and so is a plugin's panels
 * (`@shop/local-cloud/bundle-page`), each in its nx build target, so the result is cached like the
 * handler bundles.
 */
export async function bundlePage(options: {
  packageDir: string;
  /** Under `web/`: the entry, and the files copied as they are. */
  entry: string;
  copy: string[];
  /** What is built, for the line that says so. */
  what: string;
}): Promise<void> {
  const started = performance.now();
  const webDir = join(options.packageDir, 'web');
  const outDir = join(options.packageDir, 'dist', 'web');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(webDir, options.entry)],
    outfile: join(outDir, `${basename(options.entry, '.ts')}.js`),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  await Promise.all(options.copy.map((file) => copyFile(join(webDir, file), join(outDir, file))));
  console.log(`Bundled ${options.what} into dist/web in ${Math.round(performance.now() - started)} ms`);
}
