#!/usr/bin/env node
// `npm run bench`: bundle size, cold init, warm latency and end-to-end throughput of every function,
// against its naive build and its floor; writes bench/results.json (untracked) and prints one table.
// With --record, also bench/recorded.json: the committed figures docs/cost.md is computed from.
//   npm run bench -- [--check] [--record] [--runs 15] [--warm 1000] [--orders 1] [--only place-order,end-to-end]
// What the figures mean and how they are taken: docs/performance.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareLocalAssembly } from '@shop/e2e/prepare-assembly';
import { startLocalCloud } from '@shop/local-cloud/cloud';
import type { LogEntry } from '@shop/local-cloud/contracts';
import { bundleBreaches, coldInitBreaches, endToEndBreaches, readBudgets } from './budgets.ts';
import { buildFloor, buildNaive, listFunctions, productionReport, repoRoot } from './bundles.ts';
import { benchEndToEnd } from './end-to-end.ts';
import { benchFunctions, type SizedBuilds } from './functions-bench.ts';
import { benchLimit } from './limit.ts';
import {
  commitOf,
  DEFAULT_SETTINGS,
  RECORDED_FILE,
  recordRefusal,
  writeResultFiles,
} from './result-files.ts';
import { createScenarios } from './scenarios.ts';
import { formatTable } from './table.ts';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    runs: { type: 'string', default: String(DEFAULT_SETTINGS.coldRuns) },
    warm: { type: 'string', default: String(DEFAULT_SETTINGS.warmInvocations) },
    orders: { type: 'string', default: String(DEFAULT_SETTINGS.orderScale) },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npm run bench -- [options]
  --check        exit non-zero when a budget of bench/budgets.json is exceeded
  --record       also write ${RECORDED_FILE}, the figures docs/cost.md is computed from (commit it);
                 only a full run with at least the default --runs, --warm and --orders
  --runs N       fresh processes per build for cold init (default ${DEFAULT_SETTINGS.coldRuns})
  --warm N       warm invocations per function (default ${DEFAULT_SETTINGS.warmInvocations})
  --orders X     scale the end-to-end order counts (default ${DEFAULT_SETTINGS.orderScale}: 30, 200 and 500 orders)
  --only a,b     only these parts, for a quick look: function names, and end-to-end
`);
  process.exit(0);
}
const coldRuns = positiveInteger('--runs', values.runs);
const warmInvocations = positiveInteger('--warm', values.warm);
const orderScale = Number(values.orders);
if (!(orderScale > 0)) fail(`--orders must be a positive number, got "${values.orders}"`);
const only = values.only?.split(',').map((name) => name.trim());
if (values.record) {
  const refusal = recordRefusal({ only, coldRuns, warmInvocations, orderScale });
  if (refusal) fail(refusal);
}
// Taken before the run: the code measured is the code checked out when it starts.
const commit = commitOf(repoRoot);

const step = (text: string) => process.stdout.write(`▸ ${text}\n`);
const progress = (text: string) => process.stdout.write(`${text}\n`);
const started = performance.now();

const assemblyRoot = mkdtempSync(join(tmpdir(), 'serverless-commerce-bench-'));
process.on('exit', () => rmSync(assemblyRoot, { recursive: true, force: true }));
// The same build and synthesis as `npm start`, into a folder of this run's own.
const assemblyDir = await prepareLocalAssembly({ step, done: progress, outputRoot: assemblyRoot });

const functions = listFunctions().filter((fn) => !only || only.includes(fn.handler));
const runEndToEnd = !only || only.includes('end-to-end');
if (functions.length === 0 && !runEndToEnd) fail(`Nothing matches --only ${values.only}`);

step(`Bundling the naive and floor builds of ${functions.length} functions…`);
const builds: SizedBuilds[] = [];
for (const fn of functions) {
  const ours = productionReport(fn);
  const [naive, floor] = await Promise.all([buildNaive(fn), buildFloor(fn, ours.thirdParty)]);
  builds.push({
    fn,
    files: { ours: fn.bundle, naive: naive.file, floor: floor.file },
    reports: { ours, naive: naive.report, floor: floor.report },
  });
}

const quietLog = (entry: LogEntry) => {
  if (entry.level === 'ERROR') process.stderr.write(`  [${entry.source}] ${entry.message}\n`);
};

const { functions: functionResults, emptyModuleColdInitMs } = await benchEveryFunction();

const levels = [
  { concurrency: 1, orders: Math.max(1, Math.round(30 * orderScale)) },
  { concurrency: 10, orders: Math.max(10, Math.round(200 * orderScale)) },
  { concurrency: 50, orders: Math.max(50, Math.round(500 * orderScale)) },
];
let endToEnd: Awaited<ReturnType<typeof benchEndToEnd>> = [];
let limit: Awaited<ReturnType<typeof benchLimit>> = [];
if (runEndToEnd) {
  step('End to end on the local cloud: POST /orders → INVOICED…');
  const cloud = await startLocalCloud({ assemblyDir, port: 0, log: quietLog });
  endToEnd = await benchEndToEnd({ cloud, levels, progress }).finally(() => cloud.stop());
  step(
    'The same orders through the domain and handler code in process, no emulators, no polling (the limit)…',
  );
  limit = await benchLimit({ levels, progress });
}

const budgets = readBudgets();
const breaches = [
  ...bundleBreaches(functionResults, budgets),
  ...coldInitBreaches(functionResults, budgets),
  ...endToEndBreaches(endToEnd, budgets),
];
const results = {
  schemaVersion: 1,
  generatedAt: new Date().toISOString(),
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  commit,
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
  },
  settings: { coldRuns, warmInvocations, endToEndLevels: runEndToEnd ? levels : [] },
  emptyModuleColdInitMs,
  functions: functionResults,
  endToEnd: endToEnd.map((level) => {
    const inProcess = limit.find((candidate) => candidate.concurrency === level.concurrency);
    return {
      ...level,
      limit: inProcess ?? null,
      ratioToLimit: inProcess ? Number((level.ordersPerSecond / inProcess.ordersPerSecond).toFixed(4)) : null,
    };
  }),
  budgets: { file: 'bench/budgets.json', breaches },
};
const written = writeResultFiles(repoRoot, results, { record: values.record });

process.stdout.write(`\n${formatTable(results)}\n`);
process.stdout.write(
  `\nWritten to ${written.join(' and ')} in ${((performance.now() - started) / 1000).toFixed(0)} s. Load average at the end: ${results.machine.loadAverageAtEnd.join(', ')} on ${results.machine.cpus} CPUs.\n`,
);
if (values.record) {
  process.stdout.write(
    `The cost model reads ${RECORDED_FILE}: regenerate docs/cost.md with npm run cost-model -w @shop/docs-checks and commit both.\n`,
  );
}
if (breaches.length > 0) {
  process.stdout.write(
    `\nOver budget (bench/budgets.json):\n${breaches.map((breach) => `  ✗ ${breach}`).join('\n')}\n`,
  );
  if (values.check) process.exit(1);
} else {
  process.stdout.write('\nEvery budget of bench/budgets.json holds.\n');
}

async function benchEveryFunction() {
  if (builds.length === 0) return { functions: [], emptyModuleColdInitMs: null };
  step(
    `Cold init (${coldRuns} fresh Node ${process.version} processes per build, interleaved) and warm latency (${warmInvocations} invocations), against the emulators…`,
  );
  const cloud = await startLocalCloud({ assemblyDir, port: 0, log: quietLog });
  // The bench runs the functions one at a time: the queues' pollers would only add noise.
  await Promise.all([...cloud.eventSources.values()].map((source) => source.stop()));
  return benchFunctions({
    cloud,
    builds,
    // The bank signs its notices with the stage's secret, as the local Secrets Manager holds it.
    scenarios: createScenarios(cloud, {
      webhookSecret: async () => cloud.secrets.value('BankWebhookSecret'),
    }),
    coldRuns,
    warmInvocations,
    progress,
  }).finally(() => cloud.stop());
}

function positiveInteger(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) fail(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
