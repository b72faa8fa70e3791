import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { observability } from '#observability';
import { parseRefundInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/** Workflow task: refunds a capture (the provider makes a repeated refund the same refund). */
export const handler = workflowTask(observability, {
  parse: parseRefundInput,
  handle: async ({ orderId, captureId, amount, currency }) => {
    const { refundId } = await paymentProvider.refund({ orderId, captureId, amount, currency });
    logger.info('Payment refunded', { orderId, refundId });
    return { refundId };
  },
});
