import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { createApiClient } from '../src/soak/api-client.ts';
import { RENEW_BEFORE_EXPIRY_MS, type SoakCustomer, signInCustomers } from '../src/soak/customers.ts';
import { runSoak } from '../src/soak/run-soak.ts';
import { childProcessTarget, inProcessTarget, type SoakTarget } from '../src/soak/targets.ts';

/**
 * A small soak inside `npm test`: every fault of the local cloud on at once, then a SIGKILL of the
 * cloud mid-run, and the reconciliation must find nothing lost, nothing captured or invoiced twice.
 * The orders are placed by signed-in customers and the transfers confirmed by the bank's signed
 * notice, as on AWS.
 * The soak's own cloud runs with the documented local speed-ups (retry intervals / 100, visibility
 * timeouts capped), which shorten waits and never change how many times anything is tried.
 */
const quiet = { update() {}, note() {}, finish() {} };
const settleTimeoutMs = 90_000;

async function soak(
  target: SoakTarget,
  options: { orders: number; concurrency: number; customers: number; restarts?: number },
) {
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
      customers: options.customers,
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
    const result = await soak(target, { orders: 200, concurrency: 20, customers: 12 });

    expect(result.violations).toEqual([]);
    expect(result.customers).toBe(12);
    expect(result.accepted).toBe(200);
    // Found by the customers' subs: every order of the run, in its final state.
    expect(Object.values(result.byStatus).reduce((sum, count) => sum + count, 0)).toBe(200);
    expect(result.repeatedNotices.sent).toBeGreaterThan(0);
    expect(result.repeatedNotices.refused).toEqual([]);
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
      const result = await soak(target, { orders: 60, concurrency: 10, customers: 6, restarts: 1 });

      expect(result.faults?.restart).toBe(1);
      expect(result.violations).toEqual([]);
      expect(result.accepted).toBe(60);
      expect(result.maxCapturesPerOrder).toBe(1);
    } finally {
      rmSync(persistDir, { recursive: true, force: true });
    }
  }, 240_000);

  it("renews a customer's token before it expires and once for every request the API refused it to", async () => {
    const target = await inProcessTarget({
      assemblyDir: inject('localAssemblyDir'),
      faults: {},
      seed: 7,
      logPath: join(tmpdir(), `soak-test-renewal-${process.pid}.log`),
    });
    try {
      let clockAhead = 0;
      const customers = await signInCustomers({
        userPool: () => target.userPool,
        names: [`soak-renewal-${process.pid}`],
        deadlineMs: 10_000,
        now: () => Date.now() + clockAhead,
      });
      const customer = customers.list[0] as SoakCustomer;
      const first = await customer.bearer();
      expect(await customer.bearer()).toBe(first);

      const { exp } = JSON.parse(Buffer.from(first.split('.')[1] ?? '', 'base64url').toString()) as {
        exp: number;
      };
      clockAhead = exp * 1000 - RENEW_BEFORE_EXPIRY_MS - Date.now() + 1_000;
      const second = await customer.bearer();
      expect(second).not.toBe(first);
      expect(customers.renewals).toEqual({ beforeExpiry: 1, afterRefusal: 0 });
      clockAhead = 0;

      // Requests refused at once share one sign-in; one refused with a token renewed since needs none.
      await Promise.all([customer.renew(second), customer.renew(second), customer.renew(second)]);
      const third = await customer.bearer();
      await customer.renew(second);
      expect(await customer.bearer()).toBe(third);
      expect(third).not.toBe(second);
      expect(customers.renewals).toEqual({ beforeExpiry: 1, afterRefusal: 1 });
      expect(customers.subs).toEqual(new Set([customer.sub]));

      // The API refuses a token whose signature is not the pool's: the client renews and sends again.
      const [header, payload] = third.split('.');
      const forged = `${header}.${payload}.${Buffer.from('not the pool signature').toString('base64url')}`;
      let token = forged;
      const refused: string[] = [];
      const client = createApiClient({ baseUrl: () => target.url, deadlineMs: 10_000 });
      const placed = await client.post(
        '/orders',
        {
          currency: 'EUR',
          items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1250 }],
          payment: { method: 'card', token: 'tok_visa' },
        },
        `soak-renewal-${process.pid}`,
        {
          name: customer.name,
          sub: customer.sub,
          bearer: async () => token,
          async renew(stale) {
            refused.push(stale);
            token = third;
          },
        },
      );
      expect(placed.status).toBe(202);
      expect(refused).toEqual([forged]);
    } finally {
      await target.stop();
    }
  }, 60_000);
});
