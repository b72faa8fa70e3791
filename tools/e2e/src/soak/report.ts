import type { SoakResult } from './run-soak.ts';

/** The reconciliation table: one line per check, its figure, and whether it holds. */
export function formatReport(result: SoakResult, header: string): string {
  const rows: [string, string, string][] = [];
  const row = (check: string, value: string | number, ok?: boolean) =>
    rows.push([check, String(value), ok === undefined ? '' : ok ? 'ok' : 'VIOLATION']);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

  row('customers (signed in, a token each)', result.customers);
  row('orders placed (POST /orders)', result.orders);
  row('accepted (202)', result.accepted);
  for (const { status, count } of result.rejected) row(`  rejected with ${status}`, count);
  if (result.unanswered > 0) row('  never answered (client gave up)', result.unanswered);
  for (const status of ['INVOICED', 'PAYMENT_FAILED', 'CANCELLED']) {
    row(`terminal: ${status}`, result.byStatus[status] ?? 0);
  }
  row('still pending', result.stillPending, result.stillPending === 0);
  row('lost (accepted, missing or stuck)', result.lost.length, result.lost.length === 0);
  row('duplicate orders (an order no 202 named)', result.duplicateOrders, result.duplicateOrders === 0);
  row(
    'captures per order, max (PaymentCaptured on the stream)',
    result.maxCapturesPerOrder,
    result.maxCapturesPerOrder <= 1,
  );
  row(
    'failed orders with a capture',
    result.capturedButNotPaid.length,
    result.capturedButNotPaid.length === 0,
  );
  row('invoices per order, max', result.maxInvoicesPerOrder, result.maxInvoicesPerOrder <= 1);
  row(
    'invoices == INVOICED orders',
    `${result.invoices} == ${result.invoicedOrders}`,
    result.invoices === result.invoicedOrders,
  );
  row(
    'bank notices sent again / refused (same reference)',
    `${result.repeatedNotices.sent} / ${result.repeatedNotices.refused.length}`,
    result.repeatedNotices.refused.length === 0,
  );
  for (const dlq of result.deadLetters) {
    const settledAnyway =
      dlq.count > 0 && !result.violations.some((violation) => violation.startsWith(dlq.queue));
    row(
      `DLQ ${dlq.queue}${settledAnyway ? ' (their orders settled)' : ''}`,
      dlq.count,
      dlq.count === 0 || settledAnyway,
    );
  }
  for (const { kind, status, count } of result.unexpectedOutcomes) {
    row(`  note: ${kind} ended ${status}`, count);
  }
  if (result.faults) {
    for (const [fault, count] of Object.entries(result.faults)) row(`fault fired: ${fault}`, count ?? 0);
  }
  row('client retries (5xx / network, same key)', result.clientRetries);
  row(
    'token renewals (before expiry / after a 401)',
    `${result.tokenRenewals.beforeExpiry} / ${result.tokenRenewals.afterRefusal}`,
  );
  row('throughput, accepted orders/s', result.acceptedPerSecond.toFixed(1));
  row(
    'settle time p50 / p99 / max (POST → terminal)',
    `${seconds(result.settleMs.p50)} / ${seconds(result.settleMs.p99)} / ${seconds(result.settleMs.max)}`,
  );
  row('run time', seconds(result.durationMs));

  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((cells) => cells[column]?.length ?? 0)));
  const lines = rows.map(([check, value, verdict]) =>
    `  ${check.padEnd(widths[0] ?? 0)}  ${value.padStart(widths[1] ?? 0)}  ${verdict}`.trimEnd(),
  );
  const details: string[] = [];
  if (result.lost.length > 0) details.push(`Lost: ${result.lost.slice(0, 10).join(', ')}`);
  if (result.ordersCapturedTwice.length > 0)
    details.push(`Captured twice: ${result.ordersCapturedTwice.slice(0, 10).join(', ')}`);
  if (result.repeatedNotices.refused.length > 0) {
    const refused = result.repeatedNotices.refused.slice(0, 10);
    details.push(
      `Notices refused when sent again: ${refused.map((each) => `${each.orderId} (${each.status})`).join(', ')}`,
    );
  }
  if (result.ordersInvoicedTwice.length > 0)
    details.push(`Invoiced twice: ${result.ordersInvoicedTwice.slice(0, 10).join(', ')}`);
  for (const dlq of result.deadLetters.filter((entry) => entry.count > 0)) {
    details.push(
      `${dlq.queue}: orders ${dlq.orderIds.join(', ') || '(not this run)'}; e.g. ${dlq.samples[0] ?? ''}`,
    );
  }
  const verdict =
    result.violations.length === 0
      ? 'PASS: 0 lost, 0 duplicate orders, no double capture, no double invoice, no dead letter of an unsettled order'
      : `FAIL: ${result.violations.join('; ')}`;
  return [header, ...lines, ...details, verdict].join('\n');
}
