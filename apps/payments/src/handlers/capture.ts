import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { observability } from '#observability';
import { parseCaptureInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/** Workflow task: captures an authorized card payment or a confirmed bank transfer. */
export const handler = workflowTask(observability, {
  parse: parseCaptureInput,
  handle: async ({ orderId, amount, currency, method, authorizationId }) => {
    const { captureId } = await paymentProvider.capture({
      orderId,
      amount,
      currency,
      method,
      authorizationId,
    });
    logger.info('Payment captured', { orderId, captureId });
    return { captureId };
  },
});
