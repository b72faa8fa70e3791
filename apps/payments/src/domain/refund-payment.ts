import type { PaymentProvider } from './ports.ts';
import type { TaskInput } from './task-inputs.ts';

/**
 * Refunds a capture, or the order's capture attempt when the workflow never learnt its id (the
 * compensation of a capture that failed or timed out, which may still have been made). A repeated
 * refund is the same refund: the provider's port promises it.
 */
export async function refundPayment(
  input: TaskInput<'refund'>,
  deps: { provider: Pick<PaymentProvider, 'refund'> },
): Promise<{ refundId: string }> {
  const { orderId, captureId, amount, currency } = input;
  const { refundId } = await deps.provider.refund({ orderId, captureId, amount, currency });
  return { refundId };
}
