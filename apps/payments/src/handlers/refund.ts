import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { observability } from '#observability';
import { parseRefundInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/**
 * Workflow task: the payment workflow's compensation after a capture failed or timed out, which
 * refunds the order's capture attempt whether or not it was made (the provider makes a repeated
 * refund the same refund). The workflow retries it; its errors alarm (docs/runbook.md).
 */
export const handler = workflowTask(observability, {
  parse: parseRefundInput,
  handle: async ({ orderId, captureId, amount, currency }) => {
    const { refundId } = await paymentProvider.refund({ orderId, captureId, amount, currency });
    logger.info('Payment refunded', { orderId, refundId });
    return { refundId };
  },
});
