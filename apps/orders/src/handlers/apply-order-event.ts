import { parseBusEventBody } from '@shop/shared/messages';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { ordersStore } from '#adapters/orders-store';
import { observability } from '#observability';
import { applyOrderEvent } from '../domain/apply-order-event.ts';
import { ORDER_EVENTS } from '../domain/order-events.ts';

const { logger, metrics } = observability;

/** The order-events queue: PaymentCaptured, PaymentFailed, InvoiceIssued, PaymentRefunded from the bus. */
export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseBusEventBody(body, ORDER_EVENTS),
  handle: async (event) => {
    const result = await applyOrderEvent(event, { orders: ordersStore });
    logger.info('Order event handled', {
      orderId: event.data.orderId,
      eventId: event.id,
      type: event.type,
      ...result,
    });
    if (result.outcome === 'ignored') metrics.addMetric('OrderEventIgnored', 'Count', 1);
  },
});
