import { httpHandler } from '@shop/shared/http';
import { isId } from '@shop/shared/ids';
import { eventPublisher } from '#adapters/event-bus';
import { ordersStore } from '#adapters/orders-store';
import { observability } from '#observability';
import { cancelOrder } from '../domain/cancel-order.ts';
import { OrderNotFoundError } from '../domain/order.ts';

/** POST /orders/{orderId}/cancel */
export const handler = httpHandler(observability, async (request) => {
  const orderId = request.pathParameter('orderId');
  // A malformed id is not echoed: it is arbitrary client input.
  if (!isId(orderId, 'ord')) throw new OrderNotFoundError('No order has this id');
  const result = await cancelOrder(
    orderId,
    { correlationId: request.correlationId },
    { orders: ordersStore, events: eventPublisher },
  );
  observability.logger.info('Order cancelled', { orderId });
  return { status: 202, body: result };
});
