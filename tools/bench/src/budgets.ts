import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './bundles.ts';

export interface Budgets {
  bundle: { maxBytes: number; maxRatioToFloor: number };
  coldInit: { maxRatioToFloor: number; maxRatioToNaive: number };
  endToEnd: { maxP50MsAtConcurrency1: number; minOrdersPerSecondAtConcurrency50: number };
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
  coldInitMs: Record<'ours' | 'naive' | 'floor', { median: number }>;
}

export function coldInitBreaches(functions: readonly TimedFunction[], budgets: Budgets): string[] {
  const { maxRatioToFloor, maxRatioToNaive } = budgets.coldInit;
  return functions.flatMap(({ name, coldInitMs: { ours, naive, floor } }) => [
    ...(ours.median > maxRatioToFloor * floor.median
      ? [
          `${name}: cold init ${ours.median.toFixed(1)} ms is ${(ours.median / floor.median).toFixed(2)} × its floor's, over ${maxRatioToFloor} ×`,
        ]
      : []),
    ...(ours.median > maxRatioToNaive * naive.median
      ? [
          `${name}: cold init ${ours.median.toFixed(1)} ms is ${(ours.median / naive.median).toFixed(2)} × the naive build's, over ${maxRatioToNaive} ×`,
        ]
      : []),
  ]);
}

export interface EndToEndLevel {
  concurrency: number;
  ordersPerSecond: number;
  p50Ms: number;
}

export function endToEndBreaches(levels: readonly EndToEndLevel[], budgets: Budgets): string[] {
  const { maxP50MsAtConcurrency1, minOrdersPerSecondAtConcurrency50 } = budgets.endToEnd;
  const one = levels.find((level) => level.concurrency === 1);
  const fifty = levels.find((level) => level.concurrency === 50);
  return [
    ...(one && one.p50Ms > maxP50MsAtConcurrency1
      ? [
          `end to end: p50 POST → INVOICED at concurrency 1 is ${one.p50Ms.toFixed(0)} ms, over ${maxP50MsAtConcurrency1} ms`,
        ]
      : []),
    ...(fifty && fifty.ordersPerSecond < minOrdersPerSecondAtConcurrency50
      ? [
          `end to end: ${fifty.ordersPerSecond.toFixed(1)} orders/s at concurrency 50, under ${minOrdersPerSecondAtConcurrency50}`,
        ]
      : []),
  ];
}
