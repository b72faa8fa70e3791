import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { paymentsStore } from '#adapters/payments-store';
import { observability } from '#observability';
import { authorizePayment } from '../domain/authorize-payment.ts';
import { parseAuthorizeInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/** Workflow task: one authorization attempt of a card payment. */
export const handler = workflowTask(observability, {
  parse: parseAuthorizeInput,
  handle: async (input) => {
    const result = await authorizePayment(input, {
      store: paymentsStore,
      provider: paymentProvider,
      now: new Date(),
    });
    logger.info('Payment authorized', { orderId: input.orderId, attempts: result.attempts });
    return result;
  },
});
