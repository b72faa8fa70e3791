import type { PaymentProvider } from './ports.ts';
import type { TaskInput } from './task-inputs.ts';

/**
 * Captures an authorized card payment or a confirmed bank transfer: the provider gets the payment's
 * fields, not the workflow's correlation id. A retried capture is the same capture: the order is its
 * idempotency key at the provider. Provider errors propagate with their names, for the workflow's
 * Retry and Catch.
 */
export function capturePayment(
  { correlationId, ...payment }: TaskInput<'capture'>,
  deps: { provider: Pick<PaymentProvider, 'capture'> },
): Promise<{ captureId: string }> {
  return deps.provider.capture(payment);
}
