import type { PaymentProvider } from './ports.ts';
import type { TaskInput } from './task-inputs.ts';

/**
 * Refunds a capture, or the order's capture attempt when the workflow never learnt its id (the
 * compensation of a capture that failed or timed out, which may still have been made): the provider
 * gets the refund's fields, not the workflow's correlation id. A repeated refund is the same refund:
 * the provider's port promises it.
 */
export function refundPayment(
  { correlationId, ...refund }: TaskInput<'refund'>,
  deps: { provider: Pick<PaymentProvider, 'refund'> },
): Promise<{ refundId: string }> {
  return deps.provider.refund(refund);
}
