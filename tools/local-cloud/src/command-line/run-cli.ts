import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloud } from '../cloud.ts';
import { startLocalCloud } from '../cloud.ts';
import { ENGINE_FAULTS } from '../faults/engine-faults.ts';
import type { FaultPlan } from '../faults/fault-plan.ts';
import { createLogPrinter } from '../log-printer.ts';
import type { LocalCloudPlugin } from '../plugin.ts';
import { cloudSummary, readyLine } from './banner.ts';
import { type CliSettings, cliSettings, parseCliArguments, UsageError, usage } from './cli-options.ts';
import { loadPlugin } from './load-plugin.ts';

/** How an application's own command runs the engine's: `npm start` gives its plugin, banner and build. */
export interface CliOptions {
  /** How the command is spelled in its help. Default `local-cloud`. */
  command?: string;
  /** Plugins always loaded, before those of `--plugin`. */
  plugins?: readonly LocalCloudPlugin[];
  /** Where the assembly comes from when `--assembly` is not given; without it, `--assembly` is required. */
  assembly?: (context: { step: (text: string) => void }) => Promise<string>;
  /** What `--assembly` does for this command, in its help (with `assembly`). */
  assemblyHelp?: string;
  /** Printed once the cloud runs, instead of the engine's summary. */
  banner?: (cloud: LocalCloud, context: BannerContext) => string;
  /**
   * Keeps the running cloud up to date with what its assembly is made from (with `assembly`): the
   * command takes --watch and --no-watch, and watches by default at a terminal when it made the
   * assembly itself.
   */
  watch?: {
    /** What --watch does, in the help. */
    help: string;
    /** Starts watching once the cloud runs; returns what stops it. */
    start(session: WatchSession): Promise<() => Promise<void>>;
  };
}

/** What a watcher may do to the running cloud. */
export interface WatchSession {
  /** The cloud running now: a restart replaces it. */
  readonly cloud: LocalCloud;
  /**
   * Stops the cloud and starts it on `assemblyDir`, with the same options, port and state: while
   * watching, the state is always persisted (in `--persist DIR`, else a temporary folder).
   */
  restart(assemblyDir: string): Promise<LocalCloud>;
  /** Prints a step as the command does (`▸ text`). */
  step(text: string): void;
}

export interface BannerContext {
  /** Seconds since the process started, e.g. `3.2 s`. */
  readyIn: string;
  faults?: FaultPlan;
}

/**
 * The `local-cloud` command: reads its arguments, starts the cloud with its plugins, prints a
 * banner and then, when its output is not a terminal, the ready line (one JSON object a parent
 * process waits for), and stops the cloud on SIGINT or SIGTERM. A usage error exits with 2, a failed start with 1.
 */
export async function runLocalCloudCli(args: string[], options: CliOptions = {}): Promise<void> {
  const command = options.command ?? 'local-cloud';
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const step = (text: string) => console.log(`${color ? '\x1b[1m' : ''}▸ ${text}${color ? '\x1b[0m' : ''}`);
  let plugins: readonly LocalCloudPlugin[] = options.plugins ?? [];
  const knownFaults = () => [...ENGINE_FAULTS, ...plugins.flatMap((plugin) => plugin.faults ?? [])];
  const extras = { assemblyHelp: options.assemblyHelp, watchHelp: options.watch?.help };
  let settings: CliSettings;
  try {
    const values = parseCliArguments(args);
    plugins = [...plugins, ...(await Promise.all((values.plugin ?? []).map(loadPlugin)))];
    const faults = knownFaults();
    if (values.help) {
      console.log(usage(command, faults, extras));
      return;
    }
    settings = cliSettings(values, faults);
    if (!settings.assemblyDir && !options.assembly) throw new UsageError('--assembly DIR is required');
    if (settings.watch && !options.watch) throw new UsageError(`${command} has nothing to watch`);
    if (settings.watch && settings.assemblyDir)
      throw new UsageError('--watch keeps the assembly this command makes up to date: not with --assembly');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${usage(command, knownFaults(), extras)}`);
    process.exit(2);
  }

  const watching = settings.watch ?? (Boolean(process.stdout.isTTY) && !settings.assemblyDir);
  const watcher = watching ? options.watch : undefined;
  // A restart on new wiring keeps the state only if the state is on disk.
  const temporaryState =
    watcher && !settings.cloud.persistDir ? mkdtempSync(join(tmpdir(), 'local-cloud-state-')) : undefined;
  const cloudOptions = {
    log: createLogPrinter({ json: settings.json, color, minimumLevel: settings.verbose ? 'DEBUG' : 'INFO' }),
    plugins,
    ...settings.cloud,
    ...(temporaryState ? { persistDir: temporaryState } : {}),
  };
  const removeTemporaryState = () =>
    temporaryState && rmSync(temporaryState, { recursive: true, force: true });

  const assemblyDir = settings.assemblyDir ?? (await options.assembly?.({ step })) ?? '';
  const phase = performance.now();
  step('Starting the emulators and the functions…');
  const cloud = await startLocalCloud({ assemblyDir, ...cloudOptions }).catch((error: unknown) => {
    console.error(`The local cloud did not start: ${(error as Error).message}`);
    removeTemporaryState();
    process.exit(1);
  });
  console.log(`  done in ${seconds(performance.now() - phase)}`);
  const context: BannerContext = {
    readyIn: seconds(performance.now()),
    ...(settings.cloud.faults ? { faults: settings.cloud.faults } : {}),
  };
  console.log(options.banner?.(cloud, context) ?? defaultBanner(cloud, context));
  // For a parent process that waits for it; a person at a terminal has the banner.
  if (!process.stdout.isTTY) console.log(readyLine(cloud));

  if (temporaryState)
    console.log(`While watching, the state is kept across restarts in ${temporaryState} (removed at exit).`);
  const session = watchSession(
    cloud,
    (assemblyDir, port) => startLocalCloud({ ...cloudOptions, assemblyDir, port }),
    step,
  );
  const stopWatching = watcher ? await watcher.start(session) : undefined;
  stopOnSignals(async () => {
    await stopWatching?.();
    await session.cloud.stop();
    removeTemporaryState();
  });
}

/** The running cloud as a watcher sees it: a restart replaces it, on the same port. */
function watchSession(
  first: LocalCloud,
  start: (assemblyDir: string, port: number) => Promise<LocalCloud>,
  step: (text: string) => void,
): WatchSession {
  let cloud = first;
  return {
    get cloud() {
      return cloud;
    },
    async restart(assemblyDir) {
      // The same port, so the open flow page and the terminal's curl commands keep working.
      const port = Number(new URL(cloud.url).port);
      await cloud.stop();
      cloud = await start(assemblyDir, port);
      return cloud;
    },
    step,
  };
}

function defaultBanner(cloud: LocalCloud, context: BannerContext): string {
  return `
The local cloud is running (ready in ${context.readyIn}).

${cloudSummary(cloud, context.faults ? { faults: context.faults } : {})}

Press Ctrl+C to stop.
`;
}

function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the local cloud…`);
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error('Could not stop cleanly:', error);
          process.exit(1);
        },
      );
    });
  }
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
