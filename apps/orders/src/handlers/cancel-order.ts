import { httpHandler } from '@shop/shared/http';
import { eventPublisher } from '#adapters/event-bus';
import { ordersStore } from '#adapters/orders-store';
import { observability } from '#observability';
import { cancelOrder } from '../domain/cancel-order.ts';

/** POST /orders/{orderId}/cancel */
export const handler = httpHandler(observability, async (request) => {
  const customerId = request.customerId();
  const orderId = request.pathParameter('orderId');
  const result = await cancelOrder(
    orderId,
    { correlationId: request.correlationId, customerId },
    { orders: ordersStore, events: eventPublisher },
  );
  observability.logger.info('Order cancelled', { orderId });
  return { status: 202, body: result };
});
