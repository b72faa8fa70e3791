import { httpHandler } from '@shop/shared/http';
import { ordersStore } from '#adapters/orders-store';
import { observability } from '#observability';
import { getOrder } from '../domain/get-order.ts';
import { orderView } from '../domain/order.ts';

/** GET /orders/{orderId} */
export const handler = httpHandler(observability, async (request) => {
  const customerId = request.customerId();
  const order = await getOrder(request.pathParameter('orderId'), { customerId }, { orders: ordersStore });
  return { status: 200, body: orderView(order) };
});
