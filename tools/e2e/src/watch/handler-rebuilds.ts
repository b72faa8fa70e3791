import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { handlerBuildOptions } from '@shop/bundling/handler-build';
import { rootedSourceMap } from '@shop/bundling/repository-source-map';
import { type BuildContext, type BuildFailure, context, formatMessages } from 'esbuild';
import { type Bundle, bundleInputs, bundleName } from './change-plan.ts';
import { bundleFingerprint, fingerprintOf } from './function-bundles.ts';

/**
 * Rebuilds one handler's bundle at a time, with the build's own options (@shop/bundling), through an
 * esbuild context kept per bundle: its first rebuild costs a full build of that bundle, the next
 * ones reuse what it parsed. The result is written to a folder of its own under `outputRoot`, named
 * by its content, never over a bundle a function may be loading: the build's apps/<service>/dist is
 * left to nx, and a running function switches folders (`reloadCode`'s `codeDir`).
 */
export type Rebuild =
  | {
      ok: true;
      bundle: Bundle;
      /** Where it was written. */
      codeDir: string;
      /** False when it is the code the functions already run: nothing to reload. */
      changed: boolean;
      milliseconds: number;
    }
  /** esbuild's messages, formatted as it prints them. */
  | { ok: false; bundle: Bundle; errors: string };

export interface HandlerRebuilds {
  rebuild(bundle: Bundle): Promise<Rebuild>;
  /** The functions run the build's bundles again (a restart on a new assembly). */
  runningTheBuild(): void;
  dispose(): Promise<void>;
}

export function createHandlerRebuilds(options: {
  repositoryRoot: string;
  outputRoot: string;
  color: boolean;
}): HandlerRebuilds {
  const contexts = new Map<string, Promise<BuildContext<{ write: false; metafile: true }>>>();
  // The fingerprint of the code each bundle's functions run, once it is no longer the build's.
  const running = new Map<string, string>();

  const contextFor = (bundle: Bundle) => {
    const name = bundleName(bundle);
    let made = contexts.get(name);
    if (!made) {
      made = context({
        ...handlerBuildOptions(bundle.appDir, [bundle.handler]),
        // esbuild's messages then name files from the repository's root.
        absWorkingDir: options.repositoryRoot,
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      contexts.set(name, made);
    }
    return made;
  };

  return {
    async rebuild(bundle) {
      const started = performance.now();
      const name = bundleName(bundle);
      try {
        const result = await (await contextFor(bundle)).rebuild();
        const code = result.outputFiles.find((file) => basename(file.path) === 'index.mjs');
        const map = result.outputFiles.find((file) => basename(file.path) === 'index.mjs.map');
        if (!code || !map) throw new Error(`esbuild wrote no index.mjs and map for ${name}`);
        const rooted = (placedIn: string) =>
          rootedSourceMap(map.text, {
            builtIn: dirname(map.path),
            placedIn,
            repositoryRoot: options.repositoryRoot,
          });
        // As the build would write it, to compare with what runs.
        const buildDir = join(bundle.appDir, 'dist', bundle.handler);
        const fingerprint = fingerprintOf(code.contents, rooted(buildDir));
        const codeDir = join(
          options.outputRoot,
          `${bundle.service}-${bundle.handler}-${fingerprint.slice(0, 12)}`,
        );
        const runs = running.get(name) ?? bundleFingerprint(join(buildDir, 'index.mjs'));
        const changed = fingerprint !== runs;
        if (changed) {
          mkdirSync(codeDir, { recursive: true });
          writeFileSync(join(codeDir, 'index.mjs.map'), rooted(codeDir));
          writeFileSync(join(codeDir, 'index.mjs'), code.contents);
          running.set(name, fingerprint);
        }
        const inputs = bundleInputs(result.metafile, options.repositoryRoot, join(buildDir, 'index.mjs'));
        return {
          ok: true,
          bundle: { ...bundle, inputs },
          codeDir,
          changed,
          milliseconds: performance.now() - started,
        };
      } catch (error) {
        const failure = error as Partial<BuildFailure>;
        const errors = failure.errors
          ? (await formatMessages(failure.errors, { kind: 'error', color: options.color })).join('')
          : String((error as Error).message ?? error);
        return { ok: false, bundle, errors };
      }
    },
    runningTheBuild: () => running.clear(),
    async dispose() {
      await Promise.all(
        [...contexts.values()].map(async (made) => (await made.catch(() => undefined))?.dispose()),
      );
      contexts.clear();
    },
  };
}
