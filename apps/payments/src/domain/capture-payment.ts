import type { PaymentProvider } from './ports.ts';
import type { TaskInput } from './task-inputs.ts';

/**
 * Captures an authorized card payment or a confirmed bank transfer. A retried capture is the same
 * capture: the order is its idempotency key at the provider. Provider errors propagate with their
 * names, for the workflow's Retry and Catch.
 */
export async function capturePayment(
  input: TaskInput<'capture'>,
  deps: { provider: Pick<PaymentProvider, 'capture'> },
): Promise<{ captureId: string }> {
  const { orderId, amount, currency, method, authorizationId } = input;
  const { captureId } = await deps.provider.capture({ orderId, amount, currency, method, authorizationId });
  return { captureId };
}
