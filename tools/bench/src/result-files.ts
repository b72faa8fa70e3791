// Where a bench run goes: every run to bench/results.json, untracked, so a run never changes a
// committed file; a run with --record also to bench/recorded.json, the reference figures that are
// committed and that docs/cost.md's cost model is computed from.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const RESULTS_FILE = 'bench/results.json';
export const RECORDED_FILE = 'bench/recorded.json';

/** The defaults of `npm run bench`'s options, and the least a recorded run may take. */
export const DEFAULT_SETTINGS = { coldRuns: 15, warmInvocations: 1000, orderScale: 1 } as const;

export interface RunSettings {
  /** The parts `--only` names, when the run is a subset. */
  readonly only?: readonly string[];
  readonly coldRuns: number;
  readonly warmInvocations: number;
  readonly orderScale: number;
}

/** Why `--record` refuses a run with these settings, in one sentence; undefined when it may record. */
export function recordRefusal(settings: RunSettings): string | undefined {
  const shortfalls: string[] = [];
  if (settings.only) shortfalls.push(`drop --only ${settings.only.join(',')}`);
  const least = (option: string, value: number, minimum: number) => {
    if (value < minimum) shortfalls.push(`raise ${option} ${value} to at least ${minimum}`);
  };
  least('--runs', settings.coldRuns, DEFAULT_SETTINGS.coldRuns);
  least('--warm', settings.warmInvocations, DEFAULT_SETTINGS.warmInvocations);
  least('--orders', settings.orderScale, DEFAULT_SETTINGS.orderScale);
  if (shortfalls.length === 0) return undefined;
  const list = new Intl.ListFormat('en', { type: 'conjunction' }).format(shortfalls);
  return `--record keeps only a full run with at least the default repetitions: ${list}, or run without --record.`;
}

/** Writes the results to every file the run goes to; returns those files, relative to `root`. */
export function writeResultFiles(root: string, results: unknown, options: { record: boolean }): string[] {
  const files = options.record ? [RESULTS_FILE, RECORDED_FILE] : [RESULTS_FILE];
  const text = `${JSON.stringify(results, null, 2)}\n`;
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return files;
}

/** The commit the measured code comes from, so a recorded run can be named; null outside a git checkout. */
export function commitOf(root: string): { sha: string; uncommittedChanges: boolean } | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return {
      sha: git('rev-parse', 'HEAD'),
      uncommittedChanges: git('status', '--porcelain', '--untracked-files=no') !== '',
    };
  } catch {
    return null;
  }
}
