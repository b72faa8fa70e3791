import { EVENTS } from '@shop/contracts/events';
import { httpHandler } from '@shop/shared/http';
import { parseIdempotencyKey } from '@shop/shared/idempotency-key';
import { readJsonBody } from '@shop/shared/json-body';
import { eventPublisher } from '#adapters/event-bus';
import { idempotencyStore } from '#adapters/idempotency';
import { ordersStore } from '#adapters/orders-store';
import { paymentRequests } from '#adapters/payment-requests';
import { observability } from '#observability';
import { placeOrder } from '../domain/place-order.ts';

const { logger, metrics } = observability;

const reportUnpublished = (orderId: string, error: unknown) => {
  logger.error(`${EVENTS.OrderPlaced.type} was not published; the order stands`, {
    orderId,
    error: error as Error,
  });
  metrics.addMetric('OrderPlacedUnpublished', 'Count', 1);
};

/** POST /orders */
export const handler = httpHandler(observability, async (request) => {
  const customerId = request.customerId();
  const body = readJsonBody(request);
  const idempotencyKey = parseIdempotencyKey(request.header('idempotency-key'));
  const order = await placeOrder(
    body,
    { correlationId: request.correlationId, customerId, idempotencyKey },
    {
      orders: ordersStore,
      paymentRequests,
      events: eventPublisher,
      idempotency: idempotencyStore,
      onOrderPlacedUnpublished: reportUnpublished,
    },
  );
  logger.info('Order accepted', { orderId: order.orderId, status: order.status });
  return { status: 202, body: order, headers: { location: `/orders/${order.orderId}` } };
});
