import { PaymentStateConflictError } from './payment.ts';
import type { PaymentsStore, TaskCallbacks } from './ports.ts';

/**
 * Keeps the token of the workflow step that waits for a bank transfer, for the provider's callback.
 * An AWAITING_TRANSFER payment is accepted too: a repeated invocation of the step carries the token
 * the workflow now waits on, and an execution waits on one token at a time.
 *
 * The step can also run again after the transfer was confirmed: a retried task, or an execution
 * resumed after a crash, waits on a new token the confirmation never answered. The confirmation is
 * recorded, so the step answers its own token at once and the workflow goes on to the capture.
 */
export async function awaitBankTransfer(
  input: { orderId: string; taskToken: string },
  deps: { store: PaymentsStore; callbacks: TaskCallbacks; now: Date },
): Promise<'awaiting' | 'already-confirmed'> {
  const stored = await deps.store.changeStatus(input.orderId, {
    from: ['STARTED', 'AWAITING_TRANSFER'],
    to: 'AWAITING_TRANSFER',
    set: { taskToken: input.taskToken },
    at: deps.now,
  });
  if (stored) return 'awaiting';
  const payment = await deps.store.get(input.orderId);
  if (payment?.status === 'TRANSFER_CONFIRMED') {
    await deps.callbacks.succeed(input.taskToken, { orderId: input.orderId, confirmedAt: payment.updatedAt });
    return 'already-confirmed';
  }
  throw new PaymentStateConflictError(
    `Order ${input.orderId} has no STARTED payment to await a transfer for`,
  );
}
