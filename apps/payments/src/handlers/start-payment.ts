import { parseCommand } from '@shop/shared/commands';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { paymentWorkflow } from '#adapters/payment-workflow';
import { observability } from '#observability';

const { logger } = observability;

/** Consumes RequestPayment commands and starts the order's payment workflow. */
export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseCommand('RequestPayment', body),
  handle: async ({ data, correlationId }) => {
    const outcome = await paymentWorkflow.start({ ...data, correlationId });
    logger.info(outcome === 'started' ? 'Payment workflow started' : 'Payment workflow already started', {
      orderId: data.orderId,
      outcome,
    });
  },
});
