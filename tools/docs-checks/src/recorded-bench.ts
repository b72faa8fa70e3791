// The bench run the cost model is priced from: bench/recorded.json, which only
// `npm run bench -- --record` writes, so a plain bench run never changes docs/cost.md's figures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BENCH_RECORD = fileURLToPath(new URL('../../../bench/recorded.json', import.meta.url));

/** The fields of bench/recorded.json the cost model reads. */
export interface RecordedBench {
  readonly generatedAt: string;
  /** Absent from runs recorded before the bench noted its commit. */
  readonly commit?: { sha: string; uncommittedChanges: boolean } | null;
  readonly machine: { node: string; cpus: number; cpuModel: string };
  readonly settings: { warmInvocations: number };
  readonly functions: readonly { name: string; warmMs: { p50: number } }[];
}

export function readRecordedBench(file = BENCH_RECORD): RecordedBench {
  const bench = JSON.parse(readFileSync(file, 'utf8')) as RecordedBench;
  if (Number.isNaN(Date.parse(bench.generatedAt)) || !bench.machine || !bench.settings)
    throw new Error(`${file} names no run (generatedAt, machine, settings): npm run bench -- --record`);
  return bench;
}

/** The run in words: when, at which commit, on what machine, with how many warm invocations. */
export function describeRun({ generatedAt, commit, machine, settings }: RecordedBench): string {
  const when = `${new Date(generatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const at = commit
    ? ` at commit ${commit.sha.slice(0, 12)}${commit.uncommittedChanges ? ' with uncommitted changes' : ''}`
    : '';
  const warm = settings.warmInvocations.toLocaleString('en-US');
  return `\`bench/recorded.json\`, recorded ${when}${at} on Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${warm} warm invocations per function (\`npm run bench -- --record\` replaces it)`;
}
