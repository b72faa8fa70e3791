import type { COMMANDS, CommandOf } from '@shop/contracts/commands';
import type { OrderStatus } from '@shop/contracts/http';
import type { CancellableStatus, Order, OrderChanges } from './order.ts';

// Every port of the orders service: what the domain needs from outside, implemented in
// src/adapters. The bus and the idempotency records are ports of the shared library.
export type { EventPublisher } from '@shop/shared/event-bus';
export type { IdempotencyStore } from '@shop/shared/idempotency-key';

/** An event that did not apply to the order's status when it arrived, kept on the order for support. */
export interface IgnoredEvent {
  eventId: string;
  type: string;
  status: OrderStatus;
  at: string;
}

/**
 * The Orders table as the domain needs it. Every write that depends on the order's state is
 * conditional on that state and answers `false` when it no longer holds, so concurrent requests and
 * redelivered events cannot overwrite each other.
 */
export interface OrdersStore {
  get(orderId: string): Promise<Order | undefined>;
  /** Writes a new order; `false` when an order with this id exists already. */
  create(order: Order): Promise<boolean>;
  /** Removes an order that is still PENDING_PAYMENT: undoes a placement that could not be completed. */
  deleteIfPending(orderId: string): Promise<void>;
  /** The order, and whether the event with this id is already recorded on it. */
  getForEvent(orderId: string, eventId: string): Promise<{ order: Order; recorded: boolean } | undefined>;
  /** Applies a transition and records the event, if the order is still in `from` and the event new. */
  applyTransition(transition: {
    orderId: string;
    eventId: string;
    from: OrderStatus;
    changes: OrderChanges;
    at: string;
  }): Promise<boolean>;
  /** Records an event that does not apply, if the order is still in `ignored.status` and the event new. */
  recordIgnoredEvent(orderId: string, ignored: IgnoredEvent): Promise<boolean>;
  /** Sets CANCELLED, if the order is still in `from`. */
  cancel(cancellation: { orderId: string; from: CancellableStatus; at: string }): Promise<boolean>;
  markCancellationPublished(orderId: string, at: string): Promise<void>;
}

/** The queue that hands RequestPayment commands to the payments service. */
export interface PaymentRequests {
  send(command: CommandOf<typeof COMMANDS.RequestPayment.type>): Promise<void>;
}
