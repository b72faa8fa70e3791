import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalCloudOptions } from '../cloud.ts';
import { describeFaults, type FaultDefinition, FaultPlan, parseFaults } from '../faults/fault-plan.ts';

/** What the command line asks for, checked: the options of startLocalCloud and how to print. */
export interface CliSettings {
  /** Absent when the caller provides the assembly itself (`npm start` builds and synthesizes it). */
  assemblyDir?: string;
  json: boolean;
  verbose: boolean;
  /** `--watch` (true) or `--no-watch` (false); undefined when neither was given. */
  watch?: boolean;
  cloud: Omit<LocalCloudOptions, 'assemblyDir' | 'log' | 'plugins'>;
}

/** Why the command cannot run: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const OPTIONS = {
  assembly: { type: 'string' },
  port: { type: 'string' },
  persist: { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  faults: { type: 'string' },
  seed: { type: 'string', default: '1' },
  'retry-interval-scale': { type: 'string' },
  'fast-retries': { type: 'boolean', default: false },
  'max-visibility-timeout': { type: 'string' },
  'no-iam': { type: 'boolean', default: false },
  plugin: { type: 'string', multiple: true },
  watch: { type: 'boolean' },
  'no-watch': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/**
 * `assemblyHelp` replaces the line of --assembly, for a command that can make the assembly itself;
 * `watchHelp` says what --watch does, for a command that can keep it up to date.
 */
export function usage(
  command: string,
  faults: readonly FaultDefinition[],
  extras: { assemblyHelp?: string | undefined; watchHelp?: string | undefined } = {},
): string {
  const { assemblyHelp, watchHelp } = extras;
  const watch = watchHelp
    ? `
  --watch, --no-watch   ${watchHelp}`
    : '';
  const assembly =
    assemblyHelp ??
    `the cloud assembly to run: the folder cdk synth wrote (cdk.out), or one
                        stage's assembly in it (cdk.out/assembly-<stage>)`;
  return `${command} ${assemblyHelp ? '[--assembly DIR]' : '--assembly DIR'} [options]
  --assembly DIR        ${assembly}
  --port N              the HTTP API's port (default 3000, or $PORT; 0 picks a free one); the flow
                        page is at its /
  --persist DIR         keep tables, queued messages, streams, workflow executions, users and
                        secrets in DIR across restarts (a killed process too)
  --json                print the log entries as JSON, one per line
  --verbose             also print DEBUG entries (cold starts, metrics, what is not emulated)
  --faults LIST         inject faults (or $LOCAL_FAULTS): a comma-separated list of names, each
                        optionally =FRACTION of its opportunities, or all:
${describeFaults(faults, '                          ')}
  --seed N              seed of the fault decisions (default 1), so a run can be repeated
  --retry-interval-scale X   multiply the workflows' Retry intervals by X (never the retry counts)
  --fast-retries        the same as --retry-interval-scale 0.01
  --max-visibility-timeout S  cap the queues' visibility timeouts at S seconds (receive counts kept)
  --no-iam              do not check the functions' and workflows' calls against their roles' policies
                        (checked by default, refused with AccessDenied as on AWS)
  --plugin MODULE       load a plugin: a module whose default export is one (a path, or a package
                        resolved from this folder); may be given more than once${watch}
  --help                print this and exit`;
}

export type CliArguments = ReturnType<typeof parse>['values'];

/** The arguments as given; throws UsageError on one it does not know. */
export function parseCliArguments(args: string[]): CliArguments {
  return parse(args).values;
}

/** The arguments checked, against the faults the engine and the plugins know; throws UsageError. */
export function cliSettings(values: CliArguments, knownFaults: readonly FaultDefinition[]): CliSettings {
  const port = Number(values.port ?? process.env.PORT ?? '3000');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port must be a port number, got "${values.port}"`);
  const faults = faultPlan(values.faults ?? process.env.LOCAL_FAULTS, values.seed, knownFaults);
  const retryScale = values['fast-retries'] ? '0.01' : values['retry-interval-scale'];
  if (retryScale !== undefined && !(Number(retryScale) > 0))
    throw new UsageError(`--retry-interval-scale must be a positive number, got "${retryScale}"`);
  const maxVisibility = values['max-visibility-timeout'];
  if (maxVisibility !== undefined && !(Number(maxVisibility) > 0))
    throw new UsageError(`--max-visibility-timeout must be a number of seconds, got "${maxVisibility}"`);
  if (values.watch && values['no-watch'])
    throw new UsageError('--watch and --no-watch contradict each other');
  const watch = values.watch ? true : values['no-watch'] ? false : undefined;
  return {
    ...(values.assembly !== undefined ? { assemblyDir: resolve(values.assembly) } : {}),
    json: values.json,
    verbose: values.verbose,
    ...(watch !== undefined ? { watch } : {}),
    cloud: {
      port,
      ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
      ...(faults ? { faults } : {}),
      ...(retryScale !== undefined ? { retryIntervalScale: Number(retryScale) } : {}),
      ...(maxVisibility !== undefined ? { maxVisibilityTimeoutSeconds: Number(maxVisibility) } : {}),
      ...(values['no-iam'] ? { iam: false } : {}),
    },
  };
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function faultPlan(
  text: string | undefined,
  seedText: string,
  known: readonly FaultDefinition[],
): FaultPlan | undefined {
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a whole number, got "${seedText}"`);
  try {
    const rates = parseFaults(text, known);
    return Object.keys(rates).length > 0 ? new FaultPlan(rates, seed) : undefined;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
