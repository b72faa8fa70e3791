import { seededRandom } from '../faults/fault-plan.ts';

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
  /** One per order: the Idempotency-Key of its POST, and (in the customer id) how its rows are found. */
  idempotencyKey: string;
  customerId: string;
  body: {
    customerId: string;
    currency: 'EUR';
    items: { sku: string; quantity: number; unitPrice: number }[];
    payment: { method: string; token?: string };
  };
}

export function planOrders(count: number, seed: number, runId: string): PlannedOrder[] {
  const random = seededRandom(`${seed}:orders`);
  const kinds = Object.entries(ORDER_KINDS) as [OrderKind, (typeof ORDER_KINDS)[OrderKind]][];
  const totalWeight = kinds.reduce((sum, [, kind]) => sum + kind.weight, 0);
  return Array.from({ length: count }, (_, index) => {
    const kind = pickKind(kinds, random() * totalWeight);
    const spec = ORDER_KINDS[kind];
    const customerId = `cus_soak_${runId}_${index}`;
    return {
      index,
      kind,
      idempotencyKey: `soak-${runId}-${index}`,
      customerId,
      body: {
        customerId,
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
