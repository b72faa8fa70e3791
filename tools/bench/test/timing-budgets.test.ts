import { describe, expect, it } from 'vitest';
import { coldInitBreaches, endToEndBreaches, readBudgets } from '../src/budgets.ts';
import { percentile } from '../src/stats.ts';

const budgets = readBudgets();
const cold = (ours: number, naive: number, floor: number, sdkClients: Record<string, string[]> = {}) => ({
  name: 'fn',
  floor: { sdkClients },
  coldInitMs: { ours: { median: ours }, naive: { median: naive }, floor: { median: floor } },
});
const withClient = { '@aws-sdk/client-dynamodb': ['GetItem'] };

describe('the cold init budget check of a function with an SDK client', () => {
  it('holds at its floor and well under its naive build', () => {
    expect(coldInitBreaches([cold(80, 110, 80, withClient)], budgets)).toEqual([]);
  });

  it('names a function over its floor, and one too close to its naive build', () => {
    expect(coldInitBreaches([cold(60, 200, 50, withClient)], budgets)).toEqual([
      expect.stringMatching(/1\.20 × its floor's, over 1 × for a function with an SDK client/),
    ]);
    expect(coldInitBreaches([cold(90, 100, 95, withClient)], budgets)).toEqual([
      expect.stringMatching(/0\.90 × the naive build's, over 0\.8 ×/),
    ]);
  });
});

describe('the cold init budget check of a function without an SDK client', () => {
  it('allows it more above its floor of Logger and Metrics, and no naive ratio', () => {
    expect(coldInitBreaches([cold(17, 12, 9.5)], budgets)).toEqual([]);
  });

  it('names one too far above its floor', () => {
    expect(coldInitBreaches([cold(19, 12, 10)], budgets)).toEqual([
      expect.stringMatching(/1\.90 × its floor's, over 1\.8 × for a function without an SDK client/),
    ]);
  });
});

describe('the end-to-end budget check', () => {
  it('reads p50 at concurrency 1 and the CPU per order at concurrency 50', () => {
    const levels = [
      { concurrency: 1, p50Ms: 400, cpuMsPerOrder: { cloud: 10, functions: 10 } },
      { concurrency: 50, p50Ms: 2_000, cpuMsPerOrder: { cloud: 19.9, functions: 24 } },
    ];
    expect(endToEndBreaches(levels, budgets)).toEqual([
      expect.stringMatching(/^end to end: p50 POST → INVOICED at concurrency 1 is 400 ms/),
      expect.stringMatching(/^end to end: 43\.9 ms of CPU per order at concurrency 50 .*over 21\.95 ms$/),
    ]);
  });

  it('holds for a fast run', () => {
    const levels = [
      { concurrency: 1, p50Ms: 46, cpuMsPerOrder: { cloud: 30, functions: 30 } },
      { concurrency: 50, p50Ms: 900, cpuMsPerOrder: { cloud: 10, functions: 11.9 } },
    ];
    expect(endToEndBreaches(levels, budgets)).toEqual([]);
  });
});

describe('percentiles', () => {
  it('take the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(samples, 0.5)).toBe(50);
    expect(percentile(samples, 0.9)).toBe(90);
    expect(percentile(samples, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
  });
});
