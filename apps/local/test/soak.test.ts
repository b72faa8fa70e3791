import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runSoak } from '../src/soak/run-soak.ts';
import { childProcessTarget, inProcessTarget, type SoakTarget } from '../src/soak/targets.ts';

/**
 * A small soak inside `npm test`: every fault of the local cloud on at once, then a SIGKILL of the
 * cloud mid-run, and the reconciliation must find nothing lost, nothing captured or invoiced twice.
 * The soak's own cloud runs with the documented local speed-ups (retry intervals / 100, visibility
 * timeouts capped), which shorten waits and never change how many times anything is tried.
 */
const quiet = { update() {}, note() {}, finish() {} };
const settleTimeoutMs = 90_000;

async function soak(target: SoakTarget, options: { orders: number; concurrency: number; restarts?: number }) {
  try {
    return await runSoak({
      target,
      seed: 7,
      runId: Math.random().toString(16).slice(2, 10),
      restarts: options.restarts ?? 0,
      settleTimeoutMs,
      progress: quiet,
      orders: options.orders,
      concurrency: options.concurrency,
    });
  } finally {
    await target.stop();
  }
}

describe('the soak', () => {
  it('loses no order and captures and invoices each at most once with every in-process fault on', async () => {
    const target = await inProcessTarget({
      assemblyDir: inject('localAssemblyDir'),
      faults: {
        'sqs-duplicate': 0.1,
        'handler-crash': 0.05,
        'dynamodb-throttle': 0.05,
        'provider-latency': 0.2,
      },
      seed: 7,
      logPath: join(tmpdir(), `soak-test-${process.pid}.log`),
    });
    const result = await soak(target, { orders: 200, concurrency: 20 });

    expect(result.violations).toEqual([]);
    expect(result.accepted).toBe(200);
    expect(result.lost).toEqual([]);
    expect(result.maxCapturesPerOrder).toBe(1);
    expect(result.maxInvoicesPerOrder).toBe(1);
    // Each fault really fired: a soak that injected nothing would prove nothing.
    for (const fault of ['sqs-duplicate', 'handler-crash', 'dynamodb-throttle', 'provider-latency']) {
      expect(result.faults?.[fault], fault).toBeGreaterThan(0);
    }
  }, 240_000);

  it('settles every accepted order after the cloud is killed mid-run and started again on its --persist folder', async () => {
    const persistDir = mkdtempSync(join(tmpdir(), 'soak-test-persist-'));
    try {
      const target = await childProcessTarget({
        assemblyDir: inject('localAssemblyDir'),
        faults: {},
        seed: 7,
        persistDir,
        logPath: join(tmpdir(), `soak-test-restart-${process.pid}.log`),
      });
      const result = await soak(target, { orders: 60, concurrency: 10, restarts: 1 });

      expect(result.faults?.restart).toBe(1);
      expect(result.violations).toEqual([]);
      expect(result.accepted).toBe(60);
      expect(result.maxCapturesPerOrder).toBe(1);
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  }, 240_000);
});
