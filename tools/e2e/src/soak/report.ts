import { EVENTS } from '@shop/contracts/events';
import type { SoakResult } from './soak-checks.ts';

/** One line of the table: the check, its figure, and `ok` or `VIOLATION` when it is one that must hold. */
type Row = [check: string, value: string, verdict: string];

const row = (check: string, value: string | number, ok?: boolean): Row => [
  check,
  String(value),
  ok === undefined ? '' : ok ? 'ok' : 'VIOLATION',
];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The reconciliation table: one line per check, its figure, and whether it holds. */
export function formatReport(result: SoakResult, header: string): string {
  const rows = [
    ...orderRows(result),
    ...invariantRows(result),
    ...deadLetterRows(result),
    ...noteRows(result),
    ...runRows(result),
  ];
  const verdict =
    result.violations.length === 0
      ? 'PASS: 0 lost, 0 duplicate orders, no double capture, no double invoice, no dead letter of an unsettled order'
      : `FAIL: ${result.violations.join('; ')}`;
  return [header, ...aligned(rows), ...violationDetails(result), verdict].join('\n');
}

/** What was placed, and how the orders ended. */
function orderRows(result: SoakResult): Row[] {
  return [
    row('customers (signed in, a token each)', result.customers),
    row('orders placed (POST /orders)', result.orders),
    row('accepted (202)', result.accepted),
    ...result.rejected.map(({ status, count }) => row(`  rejected with ${status}`, count)),
    ...(result.unanswered > 0 ? [row('  never answered (client gave up)', result.unanswered)] : []),
    ...['INVOICED', 'PAYMENT_FAILED', 'CANCELLED'].map((status) =>
      row(`terminal: ${status}`, result.byStatus[status] ?? 0),
    ),
  ];
}

/** The checks that must hold whatever the faults: nothing lost, nothing done twice. */
function invariantRows(result: SoakResult): Row[] {
  return [
    row('still pending', result.stillPending, result.stillPending === 0),
    row('lost (accepted, missing or stuck)', result.lost.length, result.lost.length === 0),
    row('duplicate orders (an order no 202 named)', result.duplicateOrders, result.duplicateOrders === 0),
    row(
      `captures per order, max (${EVENTS.PaymentCaptured.type} on the stream)`,
      result.maxCapturesPerOrder,
      result.maxCapturesPerOrder <= 1,
    ),
    row(
      'failed orders with a capture',
      result.capturedButNotPaid.length,
      result.capturedButNotPaid.length === 0,
    ),
    row('invoices per order, max', result.maxInvoicesPerOrder, result.maxInvoicesPerOrder <= 1),
    row(
      'invoices == INVOICED orders',
      `${result.invoices} == ${result.invoicedOrders}`,
      result.invoices === result.invoicedOrders,
    ),
    row(
      'bank notices sent again / refused (same reference)',
      `${result.repeatedNotices.sent} / ${result.repeatedNotices.refused.length}`,
      result.repeatedNotices.refused.length === 0,
    ),
  ];
}

/** A DLQ holds: a violation unless every order its messages name settled anyway. */
function deadLetterRows(result: SoakResult): Row[] {
  return result.deadLetters.map((dlq) => {
    const settledAnyway =
      dlq.count > 0 && !result.violations.some((violation) => violation.startsWith(dlq.queue));
    return row(
      `DLQ ${dlq.queue}${settledAnyway ? ' (their orders settled)' : ''}`,
      dlq.count,
      dlq.count === 0 || settledAnyway,
    );
  });
}

/** Outcomes a fault may explain, and the faults that fired. */
function noteRows(result: SoakResult): Row[] {
  return [
    ...result.unexpectedOutcomes.map(({ kind, status, count }) =>
      row(`  note: ${kind} ended ${status}`, count),
    ),
    ...Object.entries(result.faults ?? {}).map(([fault, count]) => row(`fault fired: ${fault}`, count ?? 0)),
  ];
}

/** How the run went: retries, token renewals, throughput and times. */
function runRows(result: SoakResult): Row[] {
  return [
    row('client retries (5xx / network, same key)', result.clientRetries),
    row(
      'token renewals (before expiry / after a 401)',
      `${result.tokenRenewals.beforeExpiry} / ${result.tokenRenewals.afterRefusal}`,
    ),
    row('throughput, accepted orders/s', result.acceptedPerSecond.toFixed(1)),
    row(
      'settle time p50 / p99 / max (POST → terminal)',
      `${seconds(result.settleMs.p50)} / ${seconds(result.settleMs.p99)} / ${seconds(result.settleMs.max)}`,
    ),
    row('run time', seconds(result.durationMs)),
  ];
}

/** The rows as columns: checks padded to the right, figures to the left. */
function aligned(rows: Row[]): string[] {
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((cells) => cells[column]?.length ?? 0)));
  return rows.map(([check, value, verdict]) =>
    `  ${check.padEnd(widths[0] ?? 0)}  ${value.padStart(widths[1] ?? 0)}  ${verdict}`.trimEnd(),
  );
}

/** The first orders of each violation, and a sample of each DLQ that holds messages. */
function violationDetails(result: SoakResult): string[] {
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
  return details;
}
