import type { OrderLine, PaymentMethod } from '@shop/contracts/commands';
import type { Compensation, EVENTS, EventOf } from '@shop/contracts/events';
import type { OrderStatus, OrderView, PaymentStatus } from '@shop/contracts/http';
import type { Currency } from '@shop/contracts/money';
import type { PaymentFailureReason } from '@shop/contracts/payment-outcomes';
import { NotFoundError } from '@shop/shared/errors';
import type { OrderEventType } from './order-events.ts';

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['INVOICED', 'PAYMENT_FAILED', 'CANCELLED'];

/** The statuses an order can be cancelled from: before payment, or paid but not yet invoiced. */
export const CANCELLABLE_STATUSES = ['PENDING_PAYMENT', 'PAID'] as const;
export type CancellableStatus = (typeof CANCELLABLE_STATUSES)[number];

export function isCancellable(status: OrderStatus): status is CancellableStatus {
  return (CANCELLABLE_STATUSES as readonly OrderStatus[]).includes(status);
}

/** What the order knows about its payment; the payment itself lives in the payments service. */
export interface OrderPayment {
  method: PaymentMethod['method'];
  status: PaymentStatus;
  attempts: number;
  reason?: PaymentFailureReason;
  /** How the payments service undid a failed payment (a refund of a capture that may have been made). */
  compensation?: Compensation;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  currency: Currency;
  items: OrderLine[];
  total: number;
  payment: OrderPayment;
  invoiceId?: string;
  refund?: { refundId: string; amount: number };
  createdAt: string;
  updatedAt: string;
  /**
   * Kept so that a republished OrderCancelled carries the same data as the first one: an event id
   * names one fact, and consumers deduplicate on it.
   */
  cancelledFrom?: CancellableStatus;
  cancelledAt?: string;
  /** Set once OrderCancelled is on the bus; a cancellation without it is published again on retry. */
  cancellationPublishedAt?: string;
}

export class OrderNotFoundError extends NotFoundError {
  override readonly name = 'OrderNotFoundError';
}

/** The order's status kept changing under a conditional write, retry after retry. */
export class ConcurrentOrderUpdateError extends Error {
  override readonly name = 'ConcurrentOrderUpdateError';
}

/** The attributes a transition sets on the order. */
export type OrderChanges = Pick<Order, 'status'> & Partial<Pick<Order, 'payment' | 'invoiceId' | 'refund'>>;

interface Transition<T extends OrderEventType> {
  to: OrderStatus;
  change: (order: Order, event: EventOf<T>) => Omit<OrderChanges, 'status'>;
}

type TransitionTable = { readonly [S in OrderStatus]: { readonly [T in OrderEventType]?: Transition<T> } };

/**
 * Every way an event moves an order, in one table: current status × event type → next status and
 * what changes. A pair that is not in the table does not apply: the event is recorded and ignored.
 * Cancellation is a request rather than an event, allowed from CANCELLABLE_STATUSES.
 */
export const TRANSITIONS: TransitionTable = {
  PENDING_PAYMENT: {
    PaymentCaptured: {
      to: 'PAID',
      change: (order, { data }) => ({
        payment: { ...order.payment, status: 'CAPTURED', attempts: data.attempts },
      }),
    },
    PaymentFailed: {
      to: 'PAYMENT_FAILED',
      change: (order, event) => ({ payment: failedPayment(order, event) }),
    },
    // The order-events queue does not keep order: PaymentCaptured may come after the InvoiceIssued
    // that followed it (a redelivery after a crash). An invoice is only issued for a captured
    // payment, so the invoice settles the order; ignoring it would leave the order PAID for good.
    InvoiceIssued: {
      to: 'INVOICED',
      change: (order, { data }) => ({
        invoiceId: data.invoiceId,
        payment: { ...order.payment, status: 'CAPTURED' },
      }),
    },
  },
  PAID: {
    InvoiceIssued: { to: 'INVOICED', change: (_order, { data }) => ({ invoiceId: data.invoiceId }) },
  },
  INVOICED: {
    // The late PaymentCaptured of an order its invoice settled first: it still brings the attempts.
    PaymentCaptured: {
      to: 'INVOICED',
      change: (order, { data }) => ({
        payment: { ...order.payment, status: 'CAPTURED', attempts: data.attempts },
      }),
    },
  },
  PAYMENT_FAILED: {},
  // A cancelled order stays cancelled, but still learns what became of its payment: a capture that
  // raced the cancellation (payments refunds it next), a failure (a stopped bank transfer), a refund.
  CANCELLED: {
    PaymentCaptured: {
      to: 'CANCELLED',
      change: (order, { data }) => ({
        payment: { ...order.payment, status: 'CAPTURED', attempts: data.attempts },
      }),
    },
    PaymentFailed: {
      to: 'CANCELLED',
      change: (order, event) => ({ payment: failedPayment(order, event) }),
    },
    PaymentRefunded: {
      to: 'CANCELLED',
      change: (order, { data }) => ({
        refund: { refundId: data.refundId, amount: data.amount },
        payment: { ...order.payment, status: 'REFUNDED' },
      }),
    },
  },
};

/** The order's payment once PaymentFailed says so, with the compensation when the event carries one. */
function failedPayment(order: Order, { data }: EventOf<typeof EVENTS.PaymentFailed.type>): OrderPayment {
  const { compensation } = data;
  return {
    ...order.payment,
    status: 'FAILED',
    reason: data.reason,
    attempts: data.attempts,
    ...(compensation ? { compensation } : {}),
  };
}

export type EventDecision =
  | { outcome: 'applied'; changes: OrderChanges }
  | { outcome: 'ignored'; reason: string };

/** Decides what an event does to an order. Never throws: an event that does not apply is ignored. */
export function applyEvent<T extends OrderEventType>(order: Order, event: EventOf<T>): EventDecision {
  const transition = TRANSITIONS[order.status][event.type as T];
  if (!transition) {
    return {
      outcome: 'ignored',
      reason: `${event.type} does not apply to an order in status ${order.status}`,
    };
  }
  return { outcome: 'applied', changes: { status: transition.to, ...transition.change(order, event) } };
}

/** The order as GET /orders/{orderId} shows it: no bookkeeping attributes. */
export function orderView(order: Order): OrderView {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    currency: order.currency,
    items: order.items.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice })),
    total: order.total,
    payment: {
      method: order.payment.method,
      status: order.payment.status,
      attempts: order.payment.attempts,
      ...(order.payment.reason ? { reason: order.payment.reason } : {}),
      ...(order.payment.compensation ? { compensation: compensationView(order.payment.compensation) } : {}),
    },
    ...(order.invoiceId ? { invoiceId: order.invoiceId } : {}),
    ...(order.refund ? { refund: { refundId: order.refund.refundId, amount: order.refund.amount } } : {}),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

function compensationView({ action, refundId }: Compensation) {
  return { action, ...(refundId ? { refundId } : {}) };
}
