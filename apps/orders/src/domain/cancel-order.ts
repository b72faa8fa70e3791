import { EVENTS } from '@shop/contracts/events';
import type { CancelledOrder } from '@shop/contracts/http';
import { ConflictError } from '@shop/shared/errors';
import { deterministicId } from '@shop/shared/ids';
import { createEvent } from '@shop/shared/messages';
import { getOrder } from './get-order.ts';
import { ConcurrentOrderUpdateError, isCancellable, type Order } from './order.ts';
import type { EventPublisher, OrdersStore } from './ports.ts';

/** How many times a cancellation is re-evaluated when the order's status moves under it. */
const MAX_ATTEMPTS = 3;

export class OrderNotCancellableError extends ConflictError {
  override readonly name = 'OrderNotCancellableError';
}

export interface CancelOrderDependencies {
  orders: Pick<OrdersStore, 'get' | 'cancel' | 'markCancellationPublished'>;
  events: EventPublisher;
  now?: () => Date;
}

/**
 * Cancels a PENDING_PAYMENT or PAID order of the signed-in customer and announces it with
 * OrderCancelled, which makes payments stop a waiting bank transfer or refund a capture. The status
 * changes first and the event follows; `cancellationPublishedAt` records that it went out. If
 * publishing fails, the request fails and its retry publishes again (same event id, so consumers see
 * one fact), instead of answering 409. Another customer's order is not found, as by getOrder, and
 * nothing is written or published.
 */
export async function cancelOrder(
  orderId: string,
  context: { correlationId: string; customerId: string },
  deps: CancelOrderDependencies,
): Promise<CancelledOrder> {
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await getOrder(orderId, context, deps);
    if (order.status === 'CANCELLED' && !order.cancellationPublishedAt) {
      return publishCancellation(order, context.correlationId, deps, now);
    }
    if (!isCancellable(order.status)) {
      throw new OrderNotCancellableError(
        `Order ${orderId} is ${order.status} and can no longer be cancelled`,
      );
    }
    const at = now();
    if (await deps.orders.cancel({ orderId, from: order.status, at })) {
      const cancelled: Order = {
        ...order,
        status: 'CANCELLED',
        cancelledFrom: order.status,
        cancelledAt: at,
      };
      return publishCancellation(cancelled, context.correlationId, deps, now);
    }
    // The status moved (the payment was captured or failed meanwhile): decide again on the new one.
  }
  throw new ConcurrentOrderUpdateError(
    `Order ${orderId} changed during each of ${MAX_ATTEMPTS} attempts to cancel it`,
  );
}

async function publishCancellation(
  order: Order,
  correlationId: string,
  deps: CancelOrderDependencies,
  now: () => string,
): Promise<CancelledOrder> {
  const { orderId, cancelledFrom, cancelledAt } = order;
  if (!cancelledFrom || !cancelledAt) {
    throw new Error(`Cancelled order ${orderId} does not record the status it was cancelled from`);
  }
  await deps.events.publish(
    createEvent(
      EVENTS.OrderCancelled,
      { orderId, previousStatus: cancelledFrom },
      {
        correlationId,
        id: deterministicId('evt', EVENTS.OrderCancelled.type, orderId),
        occurredAt: new Date(cancelledAt),
      },
    ),
  );
  await deps.orders.markCancellationPublished(orderId, now());
  return { orderId, status: 'CANCELLED' };
}
