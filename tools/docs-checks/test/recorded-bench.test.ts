import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRun, type RecordedBench, readRecordedBench } from '../src/recorded-bench.ts';

const run: RecordedBench = {
  generatedAt: '2026-11-27T08:14:48.739Z',
  machine: { node: 'v24.21.0', cpus: 2, cpuModel: 'Intel(R) Xeon(R) Processor' },
  settings: { warmInvocations: 1000 },
  functions: [],
};

describe('the bench run the cost model names', () => {
  it('says when the run was recorded, on what machine and with how many warm invocations', () => {
    expect(describeRun(run)).toBe(
      '`bench/recorded.json`, recorded 2026-11-27 08:14 UTC on Node v24.21.0, 2 × Intel(R) Xeon(R) Processor, 1,000 warm invocations per function (`npm run bench -- --record` replaces it)',
    );
  });

  it('names the commit the run measured, and says when the checkout had uncommitted changes', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(describeRun({ ...run, commit: { sha, uncommittedChanges: false } })).toContain(
      'recorded 2026-11-27 08:14 UTC at commit 0123456789ab on Node',
    );
    expect(describeRun({ ...run, commit: { sha, uncommittedChanges: true } })).toContain(
      'at commit 0123456789ab with uncommitted changes on Node',
    );
  });

  it('refuses a recorded file that names no run', () => {
    const folder = mkdtempSync(join(tmpdir(), 'recorded-bench-'));
    try {
      const file = join(folder, 'recorded.json');
      writeFileSync(file, JSON.stringify({ functions: [] }));
      expect(() => readRecordedBench(file)).toThrow(/names no run .*npm run bench -- --record/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
