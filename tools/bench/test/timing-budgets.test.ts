import { describe, expect, it } from 'vitest';
import { coldInitBreaches, endToEndBreaches, readBudgets } from '../src/budgets.ts';
import { percentile } from '../src/stats.ts';

const budgets = readBudgets();
const cold = (ours: number, naive: number, floor: number) => ({
  name: 'fn',
  coldInitMs: { ours: { median: ours }, naive: { median: naive }, floor: { median: floor } },
});

describe('the cold init budget check', () => {
  it('holds for a function close to its floor and well under its naive build', () => {
    expect(coldInitBreaches([cold(50, 100, 48)], budgets)).toEqual([]);
  });

  it('names a function over its floor and one too close to its naive build', () => {
    expect(coldInitBreaches([cold(60, 200, 50)], budgets)).toEqual([
      expect.stringMatching(/1\.20 × its floor/),
    ]);
    expect(coldInitBreaches([cold(90, 100, 90)], budgets)).toEqual([
      expect.stringMatching(/0\.90 × the naive build/),
    ]);
  });
});

describe('the end-to-end budget check', () => {
  it('reads p50 at concurrency 1 and throughput at concurrency 50', () => {
    const levels = [
      { concurrency: 1, ordersPerSecond: 5, p50Ms: 400 },
      { concurrency: 50, ordersPerSecond: 20, p50Ms: 2_000 },
    ];
    expect(endToEndBreaches(levels, budgets)).toEqual([
      expect.stringMatching(/^end to end: p50 POST → INVOICED at concurrency 1 is 400 ms/),
      expect.stringMatching(/^end to end: 20\.0 orders\/s at concurrency 50/),
    ]);
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
