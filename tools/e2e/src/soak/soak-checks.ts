import type { SoakBank } from './bank.ts';
import type { SoakCustomers } from './customers.ts';
import { ORDER_KINDS, type OrderKind } from './order-mix.ts';
import type { AcceptedOrder } from './place-orders.ts';
import type { DeadLetter, OrderRow, StoreSnapshot } from './store-reader.ts';

/**
 * The soak's reconciliation: what the client saw (the orders accepted, refused, never answered)
 * against what the stores recorded, as figures and as violations of what must hold whatever the
 * faults: every accepted order settles, once, captured and invoiced at most once.
 */
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
  /** Orders whose payment failed, yet a capture was published for them (a cancelled one may be captured, then refunded). */
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

/** What the run saw besides the stores: the client's answers, and figures the result passes on. */
export interface RunRecord
  extends Pick<
    SoakResult,
    | 'unanswered'
    | 'faults'
    | 'customers'
    | 'tokenRenewals'
    | 'repeatedNotices'
    | 'clientRetries'
    | 'acceptedPerSecond'
    | 'durationMs'
  > {
  options: Pick<SoakResult, 'orders' | 'concurrency' | 'seed'>;
  accepted: AcceptedOrder[];
  /** How many POSTs were answered with each status other than 202. */
  rejected: Map<number, number>;
  snapshot: StoreSnapshot;
}

export const TERMINAL = new Set(['INVOICED', 'PAYMENT_FAILED', 'CANCELLED']);

type OrdersById = ReadonlyMap<string, OrderRow>;

export function reconcile(run: RunRecord): SoakResult {
  const { options, accepted, snapshot } = run;
  const ordersById: OrdersById = new Map(snapshot.orders.map((order) => [order.orderId, order]));
  const byStatus: Record<string, number> = {};
  for (const order of snapshot.orders) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;

  const settlement = checkSettlement(accepted, snapshot.orders, ordersById);
  const keys = checkIdempotencyKeys(accepted, snapshot.orders, run.unanswered);
  const notices = checkRepeatedNotices(run.repeatedNotices, ordersById);
  const captures = checkCaptures(snapshot.capturesByOrder, ordersById);
  const invoices = checkInvoices(snapshot.invoicesByOrder, byStatus.INVOICED ?? 0);
  const deadLetters = checkDeadLetters(snapshot.deadLetters, ordersById);
  const checks = [settlement, keys, notices, captures, invoices, deadLetters];

  return {
    orders: options.orders,
    concurrency: options.concurrency,
    seed: options.seed,
    accepted: accepted.length,
    rejected: [...run.rejected].map(([status, count]) => ({ status, count })),
    unanswered: run.unanswered,
    byStatus,
    stillPending: settlement.stillPending,
    lost: settlement.lost,
    duplicateOrders: keys.duplicateOrders,
    maxCapturesPerOrder: captures.maxPerOrder,
    ordersCapturedTwice: captures.ordersCapturedTwice,
    capturedButNotPaid: captures.capturedButNotPaid,
    maxInvoicesPerOrder: invoices.maxPerOrder,
    ordersInvoicedTwice: invoices.ordersInvoicedTwice,
    invoices: invoices.invoices,
    invoicedOrders: invoices.invoicedOrders,
    deadLetters: snapshot.deadLetters,
    unexpectedOutcomes: unexpectedOutcomes(accepted, ordersById),
    faults: run.faults,
    customers: run.customers,
    tokenRenewals: run.tokenRenewals,
    repeatedNotices: { sent: run.repeatedNotices.sent, refused: notices.refused },
    clientRetries: run.clientRetries,
    acceptedPerSecond: run.acceptedPerSecond,
    settleMs: settleTimes(accepted, ordersById),
    durationMs: run.durationMs,
    violations: checks.flatMap((check) => check.violations),
  };
}

/** Every accepted order is terminal; so are the orders the client never heard back about. */
function checkSettlement(accepted: AcceptedOrder[], orders: OrderRow[], ordersById: OrdersById) {
  const violations: string[] = [];
  const lost = accepted
    .filter((entry) => !TERMINAL.has(ordersById.get(entry.orderId)?.status ?? 'MISSING'))
    .map(
      (entry) =>
        `${entry.orderId} (${entry.order.kind}: ${ordersById.get(entry.orderId)?.status ?? 'missing'})`,
    );
  const stillPending = orders.filter((order) => !TERMINAL.has(order.status)).length;
  if (lost.length > 0) violations.push(`${lost.length} accepted order(s) lost (missing or not settled)`);
  if (stillPending > 0 && lost.length === 0) {
    violations.push(`${stillPending} order(s) the client never had accepted are still pending`);
  }
  return { lost, stillPending, violations };
}

/**
 * Each Idempotency-Key answers with one order: a second order of the same key is one of the
 * customers' orders that no 202 named (a POST the client gave up on may account for one each).
 */
function checkIdempotencyKeys(accepted: AcceptedOrder[], orders: OrderRow[], unanswered: number) {
  const violations: string[] = [];
  const answered = new Set(accepted.map((entry) => entry.orderId));
  const unnamed = orders.filter((order) => !answered.has(order.orderId)).length;
  const duplicateOrders = Math.max(0, unnamed - unanswered);
  if (duplicateOrders > 0)
    violations.push(`${duplicateOrders} order(s) that no Idempotency-Key answered with`);
  if (answered.size < accepted.length) {
    violations.push(`${accepted.length - answered.size} order(s) answered to two Idempotency-Keys`);
  }
  return { duplicateOrders, violations };
}

/**
 * The bank sending a taken notice again gets the same 202, whatever the order became since,
 * unless its capture failed (the payment is then no longer one a transfer confirms).
 */
function checkRepeatedNotices(repeated: SoakBank['repeated'], ordersById: OrdersById) {
  const refused = repeated.refused.filter(
    ({ orderId }) => ordersById.get(orderId)?.status !== 'PAYMENT_FAILED',
  );
  const violations = refused.length > 0 ? [`${refused.length} bank notice(s) sent again were refused`] : [];
  return { refused, violations };
}

/** An order is captured once at most, and never when its payment failed. */
function checkCaptures(capturesByOrder: StoreSnapshot['capturesByOrder'], ordersById: OrdersById) {
  const violations: string[] = [];
  const counts = [...capturesByOrder].map(([orderId, { eventIds, captureIds }]) => ({
    orderId,
    count: Math.max(eventIds.size, captureIds.size),
  }));
  const ordersCapturedTwice = counts.filter((entry) => entry.count > 1).map((entry) => entry.orderId);
  if (ordersCapturedTwice.length > 0)
    violations.push(`${ordersCapturedTwice.length} order(s) captured more than once`);
  const capturedButNotPaid = counts
    .filter(({ orderId }) => ordersById.get(orderId)?.status === 'PAYMENT_FAILED')
    .map((entry) => entry.orderId);
  if (capturedButNotPaid.length > 0) {
    violations.push(`${capturedButNotPaid.length} failed order(s) have a published capture`);
  }
  const maxPerOrder = Math.max(0, ...counts.map((entry) => entry.count));
  return { maxPerOrder, ordersCapturedTwice, capturedButNotPaid, violations };
}

/** An order is invoiced once at most, and every INVOICED order has its invoice. */
function checkInvoices(invoicesByOrder: StoreSnapshot['invoicesByOrder'], invoicedOrders: number) {
  const violations: string[] = [];
  const counts = [...invoicesByOrder].map(([orderId, ids]) => ({ orderId, count: ids.length }));
  const ordersInvoicedTwice = counts.filter((entry) => entry.count > 1).map((entry) => entry.orderId);
  if (ordersInvoicedTwice.length > 0)
    violations.push(`${ordersInvoicedTwice.length} order(s) invoiced more than once`);
  const invoices = counts.reduce((sum, entry) => sum + entry.count, 0);
  if (invoices !== invoicedOrders) {
    violations.push(`${invoices} invoice(s) for ${invoicedOrders} INVOICED order(s)`);
  }
  const maxPerOrder = Math.max(0, ...counts.map((entry) => entry.count));
  return { maxPerOrder, ordersInvoicedTwice, invoices, invoicedOrders, violations };
}

/**
 * A dead letter of an order that settled anyway (a redundant copy: a duplicate delivery, a
 * client's retry) is reported for whoever watches the DLQ alarm; one of an order that did not
 * settle is part of a loss, and counted as one.
 */
function checkDeadLetters(deadLetters: DeadLetter[], ordersById: OrdersById) {
  const violations: string[] = [];
  for (const dlq of deadLetters) {
    const unsettled = dlq.orderIds.filter((orderId) => !TERMINAL.has(ordersById.get(orderId)?.status ?? ''));
    if (unsettled.length > 0)
      violations.push(`${dlq.queue} holds messages of ${unsettled.length} unsettled order(s)`);
  }
  return { violations };
}

/** Accepted orders that did not end as their kind leads to, counted by kind and status. */
function unexpectedOutcomes(
  accepted: AcceptedOrder[],
  ordersById: OrdersById,
): SoakResult['unexpectedOutcomes'] {
  const unexpected = new Map<string, { kind: OrderKind; status: string; count: number }>();
  for (const entry of accepted) {
    const status = ordersById.get(entry.orderId)?.status ?? 'missing';
    if (status === ORDER_KINDS[entry.order.kind].expected) continue;
    const key = `${entry.order.kind}:${status}`;
    const row = unexpected.get(key) ?? { kind: entry.order.kind, status, count: 0 };
    row.count += 1;
    unexpected.set(key, row);
  }
  return [...unexpected.values()];
}

/** From the POST to the order's last update, for the orders that settled. */
function settleTimes(accepted: AcceptedOrder[], ordersById: OrdersById): SoakResult['settleMs'] {
  const times = accepted
    .map((entry) => {
      const order = ordersById.get(entry.orderId);
      return order && TERMINAL.has(order.status) && order.updatedAt
        ? Date.parse(order.updatedAt) - entry.postedAt
        : undefined;
    })
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  const percentile = (p: number) =>
    times.length === 0 ? 0 : (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0);
  return { p50: percentile(0.5), p99: percentile(0.99), max: times.at(-1) ?? 0 };
}
