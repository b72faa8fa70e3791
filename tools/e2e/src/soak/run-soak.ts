import { createApiClient } from './api-client.ts';
import { createSoakBank, type SoakBank } from './bank.ts';
import { type SoakCustomer, type SoakCustomers, signInCustomers } from './customers.ts';
import { ORDER_KINDS, type OrderKind, type PlannedOrder, planOrders } from './order-mix.ts';
import type { ProgressFigures } from './progress.ts';
import { createStoreReader, type DeadLetter, type StoreSnapshot } from './reconcile.ts';
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

const TERMINAL = new Set(['INVOICED', 'PAYMENT_FAILED', 'CANCELLED']);

/**
 * Fewer than the default concurrency (20), so a customer has two orders in flight at once, as with
 * two tabs open: one token shared by concurrent requests, and their renewal shared too.
 */
export const DEFAULT_SOAK_CUSTOMERS = 16;

interface Accepted {
  order: PlannedOrder;
  orderId: string;
  /** What the bank transfers for it: the order's total, as the 202 gave it. */
  total: number;
  currency: string;
  postedAt: number;
  acceptedAt: number;
}

export interface SoakResult {
  orders: number;
  concurrency: number;
  seed: number;
  accepted: number;
  rejected: { status: number; count: number }[];
  /** POSTs that never got an answer below 500 before the client gave up. */
  unanswered: number;
  byStatus: Record<string, number>;
  stillPending: number;
  lost: string[];
  /** Orders of the run's customers that no 202 answered with, beyond what unanswered POSTs explain. */
  duplicateOrders: number;
  maxCapturesPerOrder: number;
  ordersCapturedTwice: string[];
  /** Orders that failed or were cancelled, yet a capture was published for them. */
  capturedButNotPaid: string[];
  maxInvoicesPerOrder: number;
  ordersInvoicedTwice: string[];
  invoices: number;
  invoicedOrders: number;
  deadLetters: DeadLetter[];
  /** Orders whose outcome is not the one their token leads to (not a violation: a fault may cause it). */
  unexpectedOutcomes: { kind: OrderKind; status: string; count: number }[];
  faults: Partial<Record<string, number>> | undefined;
  customers: number;
  tokenRenewals: SoakCustomers['renewals'];
  /** Confirmed transfers whose notice the bank sent again, and those refused although the transfer was taken. */
  repeatedNotices: SoakBank['repeated'];
  clientRetries: number;
  acceptedPerSecond: number;
  settleMs: { p50: number; p99: number; max: number };
  durationMs: number;
  violations: string[];
}

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
  const customerOf = (order: PlannedOrder) => customers.list[order.customer] as SoakCustomer;
  const client = createApiClient({ baseUrl: () => target.url, deadlineMs: 120_000 });
  const bank = createSoakBank(target);
  const store = createStoreReader(() => target.endpoints);

  const accepted: Accepted[] = [];
  const rejected = new Map<number, number>();
  let placed = 0;
  let unanswered = 0;
  let settled = 0;
  let phase = 'placing';
  const figures = (): ProgressFigures => ({
    placed,
    accepted: accepted.length,
    total: options.orders,
    settled,
    retries: client.retries,
    faults: Object.values(target.faultCounts() ?? {}).reduce<number>((sum, count) => sum + (count ?? 0), 0),
    phase,
  });
  const ticker = setInterval(() => progress.update(figures()), 250);

  const followUps: Promise<void>[] = [];
  const restartPoints = Array.from({ length: options.restarts }, (_, index) =>
    Math.floor((options.orders * (index + 1)) / (options.restarts + 1)),
  );
  let restarting: Promise<void> = Promise.resolve();

  async function place(order: PlannedOrder): Promise<void> {
    const postedAt = Date.now();
    let response: Awaited<ReturnType<typeof client.post>>;
    try {
      response = await client.post('/orders', order.body, order.idempotencyKey, customerOf(order));
    } catch (error) {
      unanswered += 1;
      progress.note(`Order ${order.index}: ${(error as Error).message}`);
      return;
    } finally {
      placed += 1;
    }
    if (response.status !== 202) {
      rejected.set(response.status, (rejected.get(response.status) ?? 0) + 1);
      return;
    }
    const { orderId, total, currency } = response.body as {
      orderId: string;
      total: number;
      currency: string;
    };
    const entry = { order, orderId, total, currency, postedAt, acceptedAt: Date.now() };
    accepted.push(entry);
    if (order.kind === 'transfer_confirmed') followUps.push(confirmTransfer(entry));
    if (order.kind === 'transfer_cancelled') followUps.push(cancel(orderId, order));
  }

  // Follow-ups (confirmations) go on while orders are placed, then until the settle deadline: a
  // transfer is only awaited once its workflow has started, which a backlog can delay for minutes.
  let settleDeadline = Number.POSITIVE_INFINITY;
  /** Orders the tables show terminal: a transfer that settled without its confirmation needs none. */
  const terminalIds = new Set<string>();

  async function confirmTransfer({ orderId, order, total, currency }: Accepted): Promise<void> {
    const notice = {
      orderId,
      amount: total,
      currency,
      reference: order.idempotencyKey,
      paidAt: new Date().toISOString(),
    };
    const taken = await bank.confirm(notice, () => Date.now() >= settleDeadline || terminalIds.has(orderId));
    if (!taken && !terminalIds.has(orderId)) {
      progress.note(`Order ${orderId}: the bank transfer was never awaited within the deadline`);
    }
  }

  async function cancel(orderId: string, order: PlannedOrder): Promise<void> {
    await client
      .post(`/orders/${orderId}/cancel`, {}, `${order.idempotencyKey}-cancel`, customerOf(order))
      .catch((error: Error) => {
        progress.note(`Order ${orderId}: cancel failed: ${error.message}`);
      });
  }

  // Placing: up to `concurrency` workers take the next order. They ramp up, one more with each
  // accepted order, as a load test does: otherwise the first requests would start every execution
  // environment at once, and a saturated machine would measure cold starts timing out, not the
  // system. A restart point kills and restarts the cloud while the others keep going (their
  // requests fail and are retried with the same key).
  let next = 0;
  const workers: Promise<void>[] = [];
  const addWorker = () => {
    if (workers.length < Math.min(options.concurrency, options.orders)) workers.push(work());
  };
  async function work(): Promise<void> {
    while (next < plan.length) {
      const order = plan[next++] as PlannedOrder;
      if (target.restart && restartPoints[0] !== undefined && order.index >= restartPoints[0]) {
        restartPoints.shift();
        progress.note(
          `Killing the local cloud (SIGKILL) after ${order.index} orders, and starting it again…`,
        );
        restarting = target.restart().then(() => progress.note('The local cloud is back.'));
      }
      const before = accepted.length;
      await place(order);
      if (accepted.length > before) addWorker();
    }
  }
  addWorker();
  // Workers join while others run: wait until none is left to join.
  for (let settledWorkers = 0; settledWorkers < workers.length; ) {
    const count = workers.length;
    await Promise.all(workers.slice(settledWorkers));
    settledWorkers = count;
  }
  await restarting;
  const placedAt = performance.now();
  const lastAccepted = Math.max(...accepted.map((entry) => entry.acceptedAt));
  const firstPosted = Math.min(...accepted.map((entry) => entry.postedAt));

  // Settling: the tables say when every accepted order is terminal; the deadline bounds the wait.
  phase = 'settling';
  settleDeadline = Date.now() + options.settleTimeoutMs;
  const deadline = settleDeadline;
  const acceptedIds = new Set(accepted.map((entry) => entry.orderId));
  for (;;) {
    const orders = await store.orders(customers.subs).catch(() => undefined);
    if (orders) {
      for (const order of orders) if (TERMINAL.has(order.status)) terminalIds.add(order.orderId);
      settled = orders.filter((order) => acceptedIds.has(order.orderId) && TERMINAL.has(order.status)).length;
      if (settled >= acceptedIds.size) break;
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await Promise.all(followUps);

  phase = 'reconciling';
  const snapshot = await store.snapshot(customers.subs);
  clearInterval(ticker);
  progress.finish(figures());
  return reconcile({
    options,
    accepted,
    rejected,
    unanswered,
    snapshot,
    faults: target.faultCounts(),
    customers: customers.list.length,
    tokenRenewals: customers.renewals,
    repeatedNotices: bank.repeated,
    clientRetries: client.retries,
    acceptedPerSecond: accepted.length / Math.max(0.001, (lastAccepted - firstPosted) / 1000),
    durationMs: performance.now() - started,
    settleWaitMs: performance.now() - placedAt,
  });
}

function reconcile(input: {
  options: SoakOptions;
  accepted: Accepted[];
  rejected: Map<number, number>;
  unanswered: number;
  snapshot: StoreSnapshot;
  faults: Partial<Record<string, number>> | undefined;
  customers: number;
  tokenRenewals: SoakCustomers['renewals'];
  repeatedNotices: SoakBank['repeated'];
  clientRetries: number;
  acceptedPerSecond: number;
  durationMs: number;
  settleWaitMs: number;
}): SoakResult {
  const { options, accepted, snapshot } = input;
  const violations: string[] = [];
  const ordersById = new Map(snapshot.orders.map((order) => [order.orderId, order]));

  const byStatus: Record<string, number> = {};
  for (const order of snapshot.orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;

  const lost = accepted
    .filter((entry) => !TERMINAL.has(ordersById.get(entry.orderId)?.status ?? 'MISSING'))
    .map(
      (entry) =>
        `${entry.orderId} (${entry.order.kind}: ${ordersById.get(entry.orderId)?.status ?? 'missing'})`,
    );
  // Orders the client never heard back about must settle too.
  const stillPending = snapshot.orders.filter((order) => !TERMINAL.has(order.status)).length;
  if (lost.length > 0) violations.push(`${lost.length} accepted order(s) lost (missing or not settled)`);
  if (stillPending > 0 && lost.length === 0) {
    violations.push(`${stillPending} order(s) the client never had accepted are still pending`);
  }

  // Each Idempotency-Key answers with one order: a second order of the same key is one of the
  // customers' orders that no 202 named (a POST the client gave up on may account for one each).
  const answered = new Set(accepted.map((entry) => entry.orderId));
  const unnamed = snapshot.orders.filter((order) => !answered.has(order.orderId)).length;
  const duplicateOrders = Math.max(0, unnamed - input.unanswered);
  if (duplicateOrders > 0)
    violations.push(`${duplicateOrders} order(s) that no Idempotency-Key answered with`);
  if (answered.size < accepted.length) {
    violations.push(`${accepted.length - answered.size} order(s) answered to two Idempotency-Keys`);
  }

  // The bank sending a taken notice again gets the same 202, whatever the order became since,
  // unless its capture failed (the payment is then no longer one a transfer confirms).
  const repeatsRefused = input.repeatedNotices.refused.filter(
    ({ orderId }) => ordersById.get(orderId)?.status !== 'PAYMENT_FAILED',
  );
  if (repeatsRefused.length > 0) {
    violations.push(`${repeatsRefused.length} bank notice(s) sent again were refused`);
  }

  const captureCounts = [...snapshot.capturesByOrder].map(([orderId, { eventIds, captureIds }]) => ({
    orderId,
    count: Math.max(eventIds.size, captureIds.size),
  }));
  const ordersCapturedTwice = captureCounts.filter((entry) => entry.count > 1).map((entry) => entry.orderId);
  if (ordersCapturedTwice.length > 0)
    violations.push(`${ordersCapturedTwice.length} order(s) captured more than once`);
  const capturedButNotPaid = captureCounts
    .filter(({ orderId }) => ['PAYMENT_FAILED'].includes(ordersById.get(orderId)?.status ?? ''))
    .map((entry) => entry.orderId);
  if (capturedButNotPaid.length > 0) {
    violations.push(`${capturedButNotPaid.length} failed order(s) have a published capture`);
  }

  const invoiceCounts = [...snapshot.invoicesByOrder].map(([orderId, ids]) => ({
    orderId,
    count: ids.length,
  }));
  const ordersInvoicedTwice = invoiceCounts.filter((entry) => entry.count > 1).map((entry) => entry.orderId);
  if (ordersInvoicedTwice.length > 0)
    violations.push(`${ordersInvoicedTwice.length} order(s) invoiced more than once`);
  const invoices = invoiceCounts.reduce((sum, entry) => sum + entry.count, 0);
  const invoicedOrders = byStatus.INVOICED ?? 0;
  if (invoices !== invoicedOrders) {
    violations.push(`${invoices} invoice(s) for ${invoicedOrders} INVOICED order(s)`);
  }

  // A dead letter of an order that settled anyway (a redundant copy: a duplicate delivery, a
  // client's retry) is reported for whoever watches the DLQ alarm; one of an order that did not
  // settle is part of a loss, and counted as one above.
  for (const dlq of snapshot.deadLetters) {
    const unsettled = dlq.orderIds.filter((orderId) => !TERMINAL.has(ordersById.get(orderId)?.status ?? ''));
    if (unsettled.length > 0)
      violations.push(`${dlq.queue} holds messages of ${unsettled.length} unsettled order(s)`);
  }

  const unexpected = new Map<string, { kind: OrderKind; status: string; count: number }>();
  for (const entry of accepted) {
    const status = ordersById.get(entry.orderId)?.status ?? 'missing';
    if (status === ORDER_KINDS[entry.order.kind].expected) continue;
    const key = `${entry.order.kind}:${status}`;
    const row = unexpected.get(key) ?? { kind: entry.order.kind, status, count: 0 };
    row.count += 1;
    unexpected.set(key, row);
  }

  const settleTimes = accepted
    .map((entry) => {
      const order = ordersById.get(entry.orderId);
      return order && TERMINAL.has(order.status) && order.updatedAt
        ? Date.parse(order.updatedAt) - entry.postedAt
        : undefined;
    })
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  const percentile = (p: number) =>
    settleTimes.length === 0
      ? 0
      : (settleTimes[Math.min(settleTimes.length - 1, Math.floor(p * settleTimes.length))] ?? 0);

  return {
    orders: options.orders,
    concurrency: options.concurrency,
    seed: options.seed,
    accepted: accepted.length,
    rejected: [...input.rejected].map(([status, count]) => ({ status, count })),
    unanswered: input.unanswered,
    byStatus,
    stillPending,
    lost,
    duplicateOrders,
    maxCapturesPerOrder: Math.max(0, ...captureCounts.map((entry) => entry.count)),
    ordersCapturedTwice,
    capturedButNotPaid,
    maxInvoicesPerOrder: Math.max(0, ...invoiceCounts.map((entry) => entry.count)),
    ordersInvoicedTwice,
    invoices,
    invoicedOrders,
    deadLetters: snapshot.deadLetters,
    unexpectedOutcomes: [...unexpected.values()],
    faults: input.faults,
    customers: input.customers,
    tokenRenewals: input.tokenRenewals,
    repeatedNotices: { sent: input.repeatedNotices.sent, refused: repeatsRefused },
    clientRetries: input.clientRetries,
    acceptedPerSecond: input.acceptedPerSecond,
    settleMs: { p50: percentile(0.5), p99: percentile(0.99), max: settleTimes.at(-1) ?? 0 },
    durationMs: input.durationMs,
    violations,
  };
}
