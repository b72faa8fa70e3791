import { httpHandler } from '@shop/shared/http';
import { isId } from '@shop/shared/ids';
import { ordersStore } from '#adapters/orders-store';
import { observability } from '#observability';
import { OrderNotFoundError, orderView } from '../domain/order.ts';

/** GET /orders/{orderId} */
export const handler = httpHandler(observability, async (request) => {
  const orderId = request.pathParameter('orderId');
  // A malformed id cannot name an order: answer as for an unknown one, without reading the table,
  // and never echo it (it is arbitrary client input).
  if (!isId(orderId, 'ord')) throw new OrderNotFoundError('No order has this id');
  const order = await ordersStore.get(orderId);
  if (!order) throw new OrderNotFoundError(`Order ${orderId} does not exist`);
  return { status: 200, body: orderView(order) };
});
