import { workflowTask } from '@shop/shared/workflow-task';
import { paymentProvider } from '#adapters/payment-provider';
import { observability } from '#observability';
import { refundPayment } from '../domain/refund-payment.ts';
import { parseRefundInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/**
 * Workflow task: the payment workflow's compensation after a capture failed or timed out. The
 * workflow retries it; its errors alarm (docs/runbook.md).
 */
export const handler = workflowTask(observability, {
  parse: parseRefundInput,
  handle: async (input) => {
    const result = await refundPayment(input, { provider: paymentProvider });
    logger.info('Payment refunded', { orderId: input.orderId, refundId: result.refundId });
    return result;
  },
});
