import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { observability } from '#observability';
import { capturePayment } from '../domain/capture-payment.ts';
import { parseCaptureInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/** Workflow task: captures an authorized card payment or a confirmed bank transfer. */
export const handler = workflowTask(observability, {
  parse: parseCaptureInput,
  handle: async (input) => {
    const result = await capturePayment(input, { provider: paymentProvider });
    logger.info('Payment captured', { orderId: input.orderId, captureId: result.captureId });
    return result;
  },
});
