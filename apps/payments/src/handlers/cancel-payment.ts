import { parseBusEventBody } from '@shop/shared/messages';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { eventPublisher } from '#adapters/event-bus';
import { paymentProvider } from '#adapters/payment-provider';
import { paymentsStore } from '#adapters/payments-store';
import { taskCallbacks } from '#adapters/task-callbacks';
import { observability } from '#observability';
import { CANCELLATION_EVENTS, cancelPayment } from '../domain/cancel-payment.ts';

const { logger } = observability;

/** Consumes OrderCancelled events: stops a waiting bank transfer or refunds a captured payment. */
export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseBusEventBody(body, CANCELLATION_EVENTS),
  handle: async ({ data, correlationId }) => {
    const action = await cancelPayment(
      { orderId: data.orderId, correlationId },
      {
        store: paymentsStore,
        callbacks: taskCallbacks,
        provider: paymentProvider,
        events: eventPublisher,
        now: new Date(),
      },
    );
    logger.info('Payment cancellation applied', { orderId: data.orderId, action });
  },
});
