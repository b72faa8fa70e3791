import { isId } from '@shop/contracts/ids';
import { type Order, OrderNotFoundError } from './order.ts';
import type { OrdersStore } from './ports.ts';

/**
 * The signed-in customer's order. An unknown id, an id that cannot name an order (never looked up,
 * never echoed: it is arbitrary client input) and another customer's order all get the same
 * answer, so that an id tells nobody whether someone else's order exists.
 */
export async function getOrder(
  orderId: string,
  context: { customerId: string },
  deps: { orders: Pick<OrdersStore, 'get'> },
): Promise<Order> {
  const order = isId(orderId, 'ord') ? await deps.orders.get(orderId) : undefined;
  if (!order || order.customerId !== context.customerId) throw new OrderNotFoundError('No order has this id');
  return order;
}
