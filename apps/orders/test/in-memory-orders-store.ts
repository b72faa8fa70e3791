import type { Order } from '../src/domain/order.ts';
import type { IgnoredEvent, OrdersStore } from '../src/domain/ports.ts';

/**
 * The OrdersStore port in memory, with the same conditions as the DynamoDB adapter, for domain tests
 * of the flows. `beforeWrite` lets a test change an order between a read and a conditional write, as
 * a concurrent request would.
 */
export class InMemoryOrdersStore implements OrdersStore {
  readonly orders = new Map<string, Order>();
  readonly recorded = new Map<string, Set<string>>();
  readonly ignored = new Map<string, IgnoredEvent[]>();
  beforeWrite: () => void = () => {};

  constructor(...orders: Order[]) {
    for (const order of orders) this.orders.set(order.orderId, structuredClone(order));
  }

  async get(orderId: string) {
    const order = this.orders.get(orderId);
    return order && structuredClone(order);
  }

  async create(order: Order) {
    this.beforeWrite();
    if (this.orders.has(order.orderId)) return false;
    this.orders.set(order.orderId, structuredClone(order));
    return true;
  }

  async deleteIfPending(orderId: string) {
    if (this.orders.get(orderId)?.status === 'PENDING_PAYMENT') this.orders.delete(orderId);
  }

  async getForEvent(orderId: string, eventId: string) {
    const order = await this.get(orderId);
    return order && { order, recorded: this.recorded.get(orderId)?.has(eventId) ?? false };
  }

  async applyTransition({
    orderId,
    eventId,
    from,
    changes,
    at,
  }: Parameters<OrdersStore['applyTransition']>[0]) {
    this.beforeWrite();
    const order = this.orders.get(orderId);
    if (order?.status !== from || this.recorded.get(orderId)?.has(eventId)) return false;
    this.orders.set(orderId, { ...order, ...structuredClone(changes), updatedAt: at });
    this.record(orderId, eventId);
    return true;
  }

  async recordIgnoredEvent(orderId: string, ignored: IgnoredEvent) {
    this.beforeWrite();
    const order = this.orders.get(orderId);
    if (order?.status !== ignored.status || this.recorded.get(orderId)?.has(ignored.eventId)) return false;
    this.ignored.set(orderId, [...(this.ignored.get(orderId) ?? []), ignored]);
    this.record(orderId, ignored.eventId);
    return true;
  }

  async cancel({ orderId, from, at }: Parameters<OrdersStore['cancel']>[0]) {
    this.beforeWrite();
    const order = this.orders.get(orderId);
    if (order?.status !== from) return false;
    this.orders.set(orderId, {
      ...order,
      status: 'CANCELLED',
      cancelledFrom: from,
      cancelledAt: at,
      updatedAt: at,
    });
    return true;
  }

  async markCancellationPublished(orderId: string, at: string) {
    const order = this.orders.get(orderId);
    if (order?.status !== 'CANCELLED') throw new Error(`Order ${orderId} is not cancelled`);
    this.orders.set(orderId, { ...order, cancellationPublishedAt: at });
  }

  /** Moves an order to another status, as another writer would. */
  move(orderId: string, changes: Partial<Order>): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`No order ${orderId}`);
    this.orders.set(orderId, { ...order, ...changes });
  }

  private record(orderId: string, eventId: string): void {
    this.recorded.set(orderId, new Set([...(this.recorded.get(orderId) ?? []), eventId]));
  }
}
