import { type ApiClient, createApiClient } from './api-client.ts';
import { createSoakBank } from './bank.ts';
import { type SoakCustomer, signInCustomers } from './customers.ts';
import { planOrders } from './order-mix.ts';
import { newRunTally, placeOrders, type RunTally } from './place-orders.ts';
import type { ProgressFigures } from './progress.ts';
import { reconcile, type SoakResult, TERMINAL } from './soak-checks.ts';
import { createStoreReader, type StoreReader } from './store-reader.ts';
import type { SoakTarget } from './targets.ts';

/**
 * A soak: signs in `customers` test customers, places `orders` orders at `concurrency` as them,
 * confirms the bank transfers as the bank (or cancels them as their customer), waits for every
 * accepted order to settle (or the deadline), then reconciles from the stores.
 */
export interface SoakOptions {
  target: SoakTarget;
  orders: number;
  concurrency: number;
  /** Test customers signed in for the run (`soak-<runId>-<n>`), each placing every n-th order. */
  customers: number;
  seed: number;
  /** Names the run's customers, whose subs tell its orders apart in shared tables. */
  runId: string;
  /** How many times to kill and restart the cloud mid-run (child-process targets only). */
  restarts: number;
  /** After the last order is placed, how long every accepted order has to settle. */
  settleTimeoutMs: number;
  progress: {
    update(figures: ProgressFigures): void;
    note(text: string): void;
    finish(figures: ProgressFigures): void;
  };
}

/**
 * Fewer than the default concurrency (20), so a customer has two orders in flight at once, as with
 * two tabs open: one token shared by concurrent requests, and their renewal shared too.
 */
export const DEFAULT_SOAK_CUSTOMERS = 16;

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { target, progress } = options;
  const started = performance.now();
  const customerCount = Math.min(options.customers, options.orders);
  const plan = planOrders(options.orders, options.seed, options.runId, customerCount);
  const customers = await signInCustomers({
    userPool: () => target.userPool,
    names: Array.from({ length: customerCount }, (_, index) => `soak-${options.runId}-${index}`),
    deadlineMs: 120_000,
  });
  const client = createApiClient({ baseUrl: () => target.url, deadlineMs: 120_000 });
  const bank = createSoakBank(target);
  const store = createStoreReader(() => target.endpoints);
  const tally = newRunTally();
  const figures = () => progressFigures(tally, { total: options.orders, client, target });
  const ticker = setInterval(() => progress.update(figures()), 250);
  try {
    await placeOrders(plan, {
      target,
      concurrency: options.concurrency,
      restarts: options.restarts,
      client,
      bank,
      customerOf: (order) => customers.list[order.customer] as SoakCustomer,
      note: (text) => progress.note(text),
      tally,
    });
    const { accepted } = tally;
    const lastAccepted = Math.max(...accepted.map((entry) => entry.acceptedAt));
    const firstPosted = Math.min(...accepted.map((entry) => entry.postedAt));

    tally.phase = 'settling';
    tally.settleDeadline = Date.now() + options.settleTimeoutMs;
    await waitUntilSettled(store, customers.subs, tally);
    await Promise.all(tally.followUps);

    tally.phase = 'reconciling';
    const snapshot = await store.snapshot(customers.subs);
    progress.finish(figures());
    return reconcile({
      options,
      accepted,
      rejected: tally.rejected,
      unanswered: tally.unanswered,
      snapshot,
      faults: target.faultCounts(),
      customers: customers.list.length,
      tokenRenewals: customers.renewals,
      repeatedNotices: bank.repeated,
      clientRetries: client.retries,
      acceptedPerSecond: accepted.length / Math.max(0.001, (lastAccepted - firstPosted) / 1000),
      durationMs: performance.now() - started,
    });
  } finally {
    // A run that throws must not leave the ticker keeping the process alive.
    clearInterval(ticker);
  }
}

function progressFigures(
  tally: RunTally,
  { total, client, target }: { total: number; client: ApiClient; target: SoakTarget },
): ProgressFigures {
  return {
    placed: tally.placed,
    accepted: tally.accepted.length,
    total,
    settled: tally.settled,
    retries: client.retries,
    faults: Object.values(target.faultCounts() ?? {}).reduce<number>((sum, count) => sum + (count ?? 0), 0),
    phase: tally.phase,
  };
}

/** Until the tables show every accepted order terminal, or the settle deadline passes. */
async function waitUntilSettled(
  store: Pick<StoreReader, 'orders'>,
  customerIds: ReadonlySet<string>,
  tally: RunTally,
): Promise<void> {
  const acceptedIds = new Set(tally.accepted.map((entry) => entry.orderId));
  for (;;) {
    const orders = await store.orders(customerIds).catch(() => undefined);
    if (orders) {
      for (const order of orders) if (TERMINAL.has(order.status)) tally.terminalIds.add(order.orderId);
      tally.settled = orders.filter(
        (order) => acceptedIds.has(order.orderId) && TERMINAL.has(order.status),
      ).length;
      if (tally.settled >= acceptedIds.size) break;
    }
    if (Date.now() > tally.settleDeadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
