import type { OrderStatus } from '@shop/contracts/http';
import { applyEvent, ConcurrentOrderUpdateError, OrderNotFoundError } from './order.ts';
import type { OrderEvent } from './order-events.ts';
import type { OrdersStore } from './ports.ts';

/** How many times an event is re-evaluated when the order's status moves under it. */
const MAX_ATTEMPTS = 3;

export type ApplyOrderEventResult =
  | { outcome: 'applied'; from: OrderStatus; to: OrderStatus }
  | { outcome: 'ignored'; status: OrderStatus; reason: string }
  | { outcome: 'duplicate' };

export interface ApplyOrderEventDependencies {
  orders: Pick<OrdersStore, 'getForEvent' | 'applyTransition' | 'recordIgnoredEvent'>;
  now?: () => Date;
}

/**
 * Applies an event to its order exactly once. The event is recorded on the order in the same
 * conditional write that changes it, so a redelivered event is recognised and changes nothing.
 * When the write is refused, either that event was recorded meanwhile (a duplicate delivery: done)
 * or the status moved: the event is evaluated again against the new status.
 */
export async function applyOrderEvent(
  event: OrderEvent,
  deps: ApplyOrderEventDependencies,
): Promise<ApplyOrderEventResult> {
  const { orders, now = () => new Date() } = deps;
  const { orderId } = event.data;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await orders.getForEvent(orderId, event.id);
    // Thrown, not ignored: an event about an order this service does not hold needs a person (say, a
    // payment taken for an order whose placement was undone). It ends in the DLQ, whose alarm says so.
    if (!current) throw new OrderNotFoundError(`Order ${orderId} of event ${event.id} does not exist`);
    if (current.recorded) return { outcome: 'duplicate' };

    const { order } = current;
    const at = now().toISOString();
    const decision = applyEvent(order, event);
    if (decision.outcome === 'applied') {
      const written = await orders.applyTransition({
        orderId,
        eventId: event.id,
        from: order.status,
        changes: decision.changes,
        at,
      });
      if (written) return { outcome: 'applied', from: order.status, to: decision.changes.status };
    } else {
      const ignored = { eventId: event.id, type: event.type, status: order.status, at };
      if (await orders.recordIgnoredEvent(orderId, ignored)) {
        return { outcome: 'ignored', status: order.status, reason: decision.reason };
      }
    }
  }
  throw new ConcurrentOrderUpdateError(
    `Order ${orderId} changed during each of ${MAX_ATTEMPTS} attempts to apply event ${event.id}`,
  );
}
