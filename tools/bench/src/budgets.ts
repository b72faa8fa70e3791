import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './bundles.ts';

/** A cold init budget: ratios of medians to the floor's and, where set, to the naive build's. */
export interface ColdInitBudget {
  maxRatioToFloor: number;
  maxRatioToNaive?: number;
}

export interface Budgets {
  bundle: { maxBytes: number; maxRatioToFloor: number };
  /**
   * Per kind: a function with an SDK client can beat its floor (the clients built the usual way); one
   * without has a floor of Logger and Metrics alone, which its own work at import cannot go under.
   */
  coldInit: { withSdkClient: ColdInitBudget; withoutSdkClient: ColdInitBudget };
  endToEnd: { maxP50MsAtConcurrency1: number; maxCpuMsPerOrderAtConcurrency50: number };
}

export const budgetsFile = join(repoRoot, 'bench/budgets.json');

export function readBudgets(): Budgets {
  return JSON.parse(readFileSync(budgetsFile, 'utf8')) as Budgets;
}

export interface SizedFunction {
  name: string;
  bytes: { ours: number; floor: number };
}

/** Breaches of the bundle budgets: deterministic, so CI checks them on every run. */
export function bundleBreaches(functions: readonly SizedFunction[], budgets: Budgets): string[] {
  const { maxBytes, maxRatioToFloor } = budgets.bundle;
  return functions.flatMap(({ name, bytes }) => [
    ...(bytes.ours > maxBytes ? [`${name}: bundle is ${bytes.ours} bytes, over the ${maxBytes} budget`] : []),
    ...(bytes.ours > maxRatioToFloor * bytes.floor
      ? [
          `${name}: bundle is ${(bytes.ours / bytes.floor).toFixed(2)} × its floor (${bytes.ours} / ${bytes.floor} bytes), over ${maxRatioToFloor} ×`,
        ]
      : []),
  ]);
}

export interface TimedFunction {
  name: string;
  /** The SDK clients the floor builds: none for a function that has no client. */
  floor: { sdkClients: Record<string, unknown> };
  coldInitMs: Record<'ours' | 'naive' | 'floor', { median: number }>;
}

export function coldInitBreaches(functions: readonly TimedFunction[], budgets: Budgets): string[] {
  return functions.flatMap(({ name, floor: { sdkClients }, coldInitMs: { ours, naive, floor } }) => {
    const withSdkClient = Object.keys(sdkClients).length > 0;
    const { maxRatioToFloor, maxRatioToNaive } = withSdkClient
      ? budgets.coldInit.withSdkClient
      : budgets.coldInit.withoutSdkClient;
    const kind = withSdkClient ? 'with an SDK client' : 'without an SDK client';
    return [
      ...(ours.median > maxRatioToFloor * floor.median
        ? [
            `${name}: cold init ${ours.median.toFixed(1)} ms is ${(ours.median / floor.median).toFixed(2)} × its floor's, over ${maxRatioToFloor} × for a function ${kind}`,
          ]
        : []),
      ...(maxRatioToNaive !== undefined && ours.median > maxRatioToNaive * naive.median
        ? [
            `${name}: cold init ${ours.median.toFixed(1)} ms is ${(ours.median / naive.median).toFixed(2)} × the naive build's, over ${maxRatioToNaive} × for a function ${kind}`,
          ]
        : []),
    ];
  });
}

export interface EndToEndLevel {
  concurrency: number;
  p50Ms: number;
  cpuMsPerOrder: { cloud: number; functions: number };
}

export function endToEndBreaches(levels: readonly EndToEndLevel[], budgets: Budgets): string[] {
  const { maxP50MsAtConcurrency1, maxCpuMsPerOrderAtConcurrency50 } = budgets.endToEnd;
  const one = levels.find((level) => level.concurrency === 1);
  const fifty = levels.find((level) => level.concurrency === 50);
  return [
    ...(one && one.p50Ms > maxP50MsAtConcurrency1
      ? [
          `end to end: p50 POST → INVOICED at concurrency 1 is ${one.p50Ms.toFixed(0)} ms, over ${maxP50MsAtConcurrency1} ms`,
        ]
      : []),
    ...(fifty && cpuMs(fifty) > maxCpuMsPerOrderAtConcurrency50
      ? [
          `end to end: ${cpuMs(fifty).toFixed(1)} ms of CPU per order at concurrency 50 (local cloud ${fifty.cpuMsPerOrder.cloud} + functions ${fifty.cpuMsPerOrder.functions}), over ${maxCpuMsPerOrderAtConcurrency50} ms`,
        ]
      : []),
  ];
}

const cpuMs = (level: EndToEndLevel) => level.cpuMsPerOrder.cloud + level.cpuMsPerOrder.functions;
