import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { LocalCloud, WatchSession } from '@shop/local-cloud';
import { type Bundle, bundleName, planChanges, readBundles } from './change-plan.ts';
import { watchFolders } from './folder-watch.ts';
import { functionsByBundle } from './function-bundles.ts';
import { createHandlerRebuilds, type Rebuild } from './handler-rebuilds.ts';
import { wiringOf } from './wiring.ts';

/**
 * `npm start`'s watcher: a saved file under apps/<service>/src or libs/<lib>/src rebuilds the bundles
 * that read it and gives their functions the new code, nothing restarted; a file synth reads
 * (infra/, the contracts) synthesizes again, and restarts the cloud, its state kept, only when the
 * wiring changed. A bundle that does not build prints esbuild's errors, shows them at the top of the
 * flow page until it builds again, and its functions keep the code they run. Changes are taken one
 * batch at a time, in the order they were saved.
 */
export interface WatchOptions {
  repositoryRoot: string;
  /** Rebuilds the bundles (nx) and synthesizes the local stage when its inputs changed; its folder. */
  prepare: () => Promise<string>;
  /** The assembly the cloud was started on. */
  assemblyDir: string;
  /** Where rebuilt bundles are written, each in a folder of its own. Emptied at start. */
  outputRoot: string;
  /** Prints a line on the terminal. */
  print: (text: string) => void;
  color: boolean;
  /** Saves within this many milliseconds make one batch (an editor writes a file in steps). */
  settleMs?: number;
}

const WATCHED_EXTENSIONS = /\.(?:[cm]?[jt]s|json)$/;

export async function watchSources(
  session: WatchSession,
  options: WatchOptions,
): Promise<() => Promise<void>> {
  const { repositoryRoot, print: say } = options;
  const red = (text: string) => (options.color ? `\x1b[31m${text}\x1b[0m` : text);
  rmSync(options.outputRoot, { recursive: true, force: true });
  const rebuilds = createHandlerRebuilds(options);
  let bundles = readBundles(repositoryRoot);
  let functionsOf = functionsByBundle(session.cloud.model.functions, bundles);
  let wiring = wiringOf(options.assemblyDir);

  const reload = (cloud: LocalCloud, rebuilt: Extract<Rebuild, { ok: true }>) => {
    const name = bundleName(rebuilt.bundle);
    const functions = functionsOf.get(name) ?? [];
    const took = `rebuilt in ${rebuilt.milliseconds.toFixed(0)} ms`;
    if (!rebuilt.changed) return say(`  ${name}: ${took}, the same code: nothing to reload`);
    if (functions.length === 0) return say(`  ${name}: ${took}; no function of this cloud runs it`);
    for (const fn of functions) cloud.lambda.reloadCode(fn, { codeDir: rebuilt.codeDir });
    say(`  ${name}: ${took}; ${functions.join(', ')} run${functions.length === 1 ? 's' : ''} the new code`);
  };

  const rebuildAll = async (toRebuild: readonly Bundle[]) => {
    const results = await Promise.all(toRebuild.map((bundle) => rebuilds.rebuild(bundle)));
    for (const result of results) {
      const name = bundleName(result.bundle);
      const notice = `build:${name}`;
      if (!result.ok) {
        const title = `${name} did not build; its functions keep the code they run:`;
        say(red(`✗ ${title}`));
        say(result.errors.trimEnd());
        session.cloud.notices.show({
          id: notice,
          title,
          text: stripVTControlCharacters(result.errors).trimEnd(),
        });
        continue;
      }
      session.cloud.notices.clear(notice);
      // The rebuild's own inputs: an import added since the build is followed from now on.
      bundles = bundles.map((bundle) => (bundleName(bundle) === name ? result.bundle : bundle));
      try {
        reload(session.cloud, result);
      } catch (error) {
        say(red(`✗ ${name}: ${(error as Error).message}`));
      }
    }
  };

  const resynthesize = async () => {
    session.step('Synthesizing the local stage again (a file synth reads changed)…');
    const assemblyDir = await options.prepare();
    const next = wiringOf(assemblyDir);
    if (next === wiring) {
      say('  The wiring is the same: the cloud keeps running, with the code it runs.');
      return;
    }
    session.step('The wiring changed: restarting the local cloud, its state kept…');
    const started = performance.now();
    const cloud = await session.restart(assemblyDir);
    wiring = next;
    // The new assembly runs the bundles the build just made, from sources that include every save.
    bundles = readBundles(repositoryRoot);
    functionsOf = functionsByBundle(cloud.model.functions, bundles);
    rebuilds.runningTheBuild();
    say(`  restarted in ${((performance.now() - started) / 1000).toFixed(1)} s on ${cloud.url}`);
  };

  const pending = new Set<string>();
  let working: Promise<void> | undefined;
  let settle: NodeJS.Timeout | undefined;
  const work = async () => {
    while (pending.size > 0) {
      const files = [...pending];
      pending.clear();
      const plan = planChanges(files, bundles, repositoryRoot);
      session.step(`Changed: ${files.map((file) => relative(repositoryRoot, file)).join(', ')}`);
      if (plan.rebuild.length > 0) await rebuildAll(plan.rebuild);
      if (plan.resynth) await resynthesize();
      for (const file of plan.unused) say(`  ${relative(repositoryRoot, file)}: ${unusedReason(file)}`);
    }
  };
  const run = () => {
    if (working) return;
    working = work()
      .catch((error: unknown) => say(red(`✗ ${(error as Error).message}`)))
      .finally(() => {
        working = undefined;
        // Saves that settled while it finished its last batch.
        if (pending.size > 0) run();
      });
  };
  const changed = (file: string) => {
    if (!WATCHED_EXTENSIONS.test(file)) return;
    pending.add(file);
    clearTimeout(settle);
    settle = setTimeout(run, options.settleMs ?? 100);
  };

  const watcher = watchFolders(watchedFolders(repositoryRoot), changed);
  say(
    'Watching apps/*/src, libs/*/src and what synth reads: a save reloads the functions whose bundles change (--no-watch: off).',
  );
  return async () => {
    clearTimeout(settle);
    watcher.close();
    await working;
    await rebuilds.dispose();
  };
}

function unusedReason(file: string): string {
  return /[/\\]apps[/\\][^/\\]+[/\\]src[/\\]handlers[/\\][^/\\]+(?<!\.test)\.ts$/.test(file)
    ? 'a handler no bundle holds yet: it is built and run once infra/ wires it'
    : 'no bundle reads it (types only, or imported by nothing yet), and synth does not';
}

/** The services' and libraries' sources, and infra's (its own folder only for cdk.json and package.json). */
function watchedFolders(root: string): { folder: string; recursive: boolean }[] {
  const sourcesOf = (parent: string) =>
    readdirSync(join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(root, parent, entry.name, 'src'));
  return [
    ...[...sourcesOf('apps'), ...sourcesOf('libs'), join(root, 'infra/bin'), join(root, 'infra/src')]
      .filter((folder) => existsSync(folder))
      .map((folder) => ({ folder, recursive: true })),
    { folder: join(root, 'infra'), recursive: false },
  ];
}
