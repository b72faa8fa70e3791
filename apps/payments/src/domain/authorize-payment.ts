import { PaymentStateConflictError } from './payment.ts';
import type { PaymentProvider, PaymentsStore } from './ports.ts';
import type { TaskInput } from './task-inputs.ts';

/**
 * One authorization attempt. The attempt is counted in the Payments table before the provider is
 * called: the workflow's retries land on any Lambda instance, so only the table knows which attempt
 * this is, and the count stays visible (`payment.attempts`) whatever the outcome.
 * Provider errors propagate with their names, for the workflow's Retry and Catch.
 */
export async function authorizePayment(
  input: TaskInput<'authorize'>,
  deps: { store: PaymentsStore; provider: PaymentProvider; now: Date },
): Promise<{ authorizationId: string; attempts: number }> {
  const { orderId, amount, currency, token } = input;
  const attempts = await deps.store.recordAttempt(orderId, deps.now);
  if (attempts === undefined) {
    throw new PaymentStateConflictError(`Order ${orderId} has no STARTED payment to authorize`);
  }
  const { authorizationId } = await deps.provider.authorize({
    orderId,
    amount,
    currency,
    token,
    attempt: attempts,
  });
  return { authorizationId, attempts };
}
