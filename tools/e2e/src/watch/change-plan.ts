import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isSynthSource } from '../synth-inputs.ts';

/**
 * What a saved file means for the running local cloud: the bundles that read it must be rebuilt
 * (their functions reloaded), and a file synth reads means synthesizing again. Which bundle reads
 * what comes from esbuild's metafiles: the build's (apps/<service>/dist/meta.json), then each
 * rebuild's own, so an import added since is followed.
 */
export interface Bundle {
  /** The app's folder name under apps/, e.g. `orders`. */
  service: string;
  handler: string;
  appDir: string;
  /** The absolute paths of the files it was built from. */
  inputs: ReadonlySet<string>;
}

export interface ChangePlan {
  rebuild: Bundle[];
  resynth: boolean;
  /** Changed files no bundle reads and synth does not either (a type-only module, a new file). */
  unused: string[];
}

/** `<service>/<handler>`: how a bundle is named in what the watcher prints. */
export const bundleName = (bundle: Pick<Bundle, 'service' | 'handler'>) =>
  `${bundle.service}/${bundle.handler}`;

/** `files` are absolute paths. */
export function planChanges(
  files: readonly string[],
  bundles: readonly Bundle[],
  repositoryRoot: string,
): ChangePlan {
  const rebuild = new Set<Bundle>();
  const unused: string[] = [];
  let resynth = false;
  for (const file of new Set(files)) {
    const readers = bundles.filter((bundle) => bundle.inputs.has(file));
    for (const reader of readers) rebuild.add(reader);
    const synthReads = isSynthSource(relative(repositoryRoot, file).split(sep).join('/'));
    resynth ||= synthReads;
    if (readers.length === 0 && !synthReads) unused.push(file);
  }
  return { rebuild: [...rebuild], resynth, unused };
}

/** Every bundle the services' build made, with its inputs as its metafile lists them. */
export function readBundles(repositoryRoot: string): Bundle[] {
  const apps = join(repositoryRoot, 'apps');
  return readdirSync(apps, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(apps, entry.name, 'dist', 'meta.json')))
    .flatMap((entry) => {
      const appDir = join(apps, entry.name);
      const metafile = JSON.parse(readFileSync(join(appDir, 'dist', 'meta.json'), 'utf8')) as Metafile;
      return Object.keys(metafile.outputs)
        .map((output) => /(?:^|[/\\])dist[/\\]([^/\\]+)[/\\]index\.mjs$/.exec(output)?.[1])
        .filter((handler): handler is string => handler !== undefined)
        .map((handler) => ({
          service: entry.name,
          handler,
          appDir,
          inputs: bundleInputs(metafile, appDir, join(appDir, 'dist', handler, 'index.mjs')),
        }));
    });
}

/** The metafile's part the watcher reads: each output's inputs, by path from the build's folder. */
export interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/**
 * The files one bundle read, as absolute paths (virtual modules, `ns:name`, left out), from a
 * metafile whose paths are relative to `workingDir`.
 */
export function bundleInputs(metafile: Metafile, workingDir: string, bundleFile: string): Set<string> {
  const output = Object.entries(metafile.outputs).find(
    ([path]) => resolve(workingDir, path) === bundleFile,
  )?.[1];
  return new Set(
    Object.keys(output?.inputs ?? {})
      .filter((input) => !/^[a-z-]+:/.test(input))
      .map((input) => resolve(workingDir, input)),
  );
}
