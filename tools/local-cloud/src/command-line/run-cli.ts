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
  let settings: CliSettings;
  try {
    const values = parseCliArguments(args);
    plugins = [...plugins, ...(await Promise.all((values.plugin ?? []).map(loadPlugin)))];
    const faults = knownFaults();
    if (values.help) {
      console.log(usage(command, faults, options.assemblyHelp));
      return;
    }
    settings = cliSettings(values, faults);
    if (!settings.assemblyDir && !options.assembly) throw new UsageError('--assembly DIR is required');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${usage(command, knownFaults(), options.assemblyHelp)}`);
    process.exit(2);
  }

  const assemblyDir = settings.assemblyDir ?? (await options.assembly?.({ step })) ?? '';
  const phase = performance.now();
  step('Starting the emulators and the functions…');
  const cloud = await startLocalCloud({
    assemblyDir,
    log: createLogPrinter({ json: settings.json, color, minimumLevel: settings.verbose ? 'DEBUG' : 'INFO' }),
    plugins,
    ...settings.cloud,
  }).catch((error: unknown) => {
    console.error(`The local cloud did not start: ${(error as Error).message}`);
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
  stopOnSignals(cloud);
}

function defaultBanner(cloud: LocalCloud, context: BannerContext): string {
  return `
The local cloud is running (ready in ${context.readyIn}).

${cloudSummary(cloud, context.faults ? { faults: context.faults } : {})}

Press Ctrl+C to stop.
`;
}

function stopOnSignals(cloud: LocalCloud): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the local cloud…`);
      cloud.stop().then(
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
