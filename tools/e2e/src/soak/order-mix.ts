import { seededRandom } from '@shop/local-cloud';

/**
 * What the soak orders, drawn from a seed: every test token of the test provider, and bank
 * transfers the soak confirms (or, for a few, cancels while they wait).
 */
export const ORDER_KINDS = {
  tok_visa: { weight: 45, payment: { method: 'card', token: 'tok_visa' }, expected: 'INVOICED' },
  tok_flaky: { weight: 10, payment: { method: 'card', token: 'tok_flaky' }, expected: 'INVOICED' },
  tok_declined: {
    weight: 10,
    payment: { method: 'card', token: 'tok_declined' },
    expected: 'PAYMENT_FAILED',
  },
  tok_outage: { weight: 5, payment: { method: 'card', token: 'tok_outage' }, expected: 'PAYMENT_FAILED' },
  transfer_confirmed: { weight: 25, payment: { method: 'bank_transfer' }, expected: 'INVOICED' },
  transfer_cancelled: { weight: 5, payment: { method: 'bank_transfer' }, expected: 'CANCELLED' },
} as const;
export type OrderKind = keyof typeof ORDER_KINDS;

export interface PlannedOrder {
  index: number;
  kind: OrderKind;
  /** One per order: the Idempotency-Key of its POST, and the reference of its bank transfer. */
  idempotencyKey: string;
  /** Which of the run's customers places it (an index into them). */
  customer: number;
  body: {
    currency: 'EUR';
    items: { sku: string; quantity: number; unitPrice: number }[];
    payment: { method: string; token?: string };
  };
}

/** The orders are dealt to the customers in turn, so a seed gives each customer the same orders at any concurrency. */
export function planOrders(count: number, seed: number, runId: string, customers: number): PlannedOrder[] {
  const random = seededRandom(`${seed}:orders`);
  const kinds = Object.entries(ORDER_KINDS) as [OrderKind, (typeof ORDER_KINDS)[OrderKind]][];
  const totalWeight = kinds.reduce((sum, [, kind]) => sum + kind.weight, 0);
  return Array.from({ length: count }, (_, index) => {
    const kind = pickKind(kinds, random() * totalWeight);
    const spec = ORDER_KINDS[kind];
    return {
      index,
      kind,
      idempotencyKey: `soak-${runId}-${index}`,
      customer: index % customers,
      body: {
        currency: 'EUR',
        items: [
          { sku: 'BOOK-1', quantity: 1 + Math.floor(random() * 3), unitPrice: 1250 },
          { sku: 'PEN-7', quantity: 1, unitPrice: 100 + Math.floor(random() * 900) },
        ],
        payment: { ...spec.payment },
      },
    };
  });
}

function pickKind(kinds: [OrderKind, { weight: number }][], point: number): OrderKind {
  let remaining = point;
  for (const [kind, { weight }] of kinds) {
    remaining -= weight;
    if (remaining < 0) return kind;
  }
  return 'tok_visa';
}
