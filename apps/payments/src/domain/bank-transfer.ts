import { PaymentNotFoundError, type PaymentRecord, PaymentStateConflictError } from './payment.ts';
import type { TaskCallbacks } from './payment-workflow.ts';
import type { PaymentsStore } from './payments-store.ts';

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

export interface TransferConfirmation {
  orderId: string;
  status: 'TRANSFER_CONFIRMED';
}

/**
 * The bank-transfer provider's callback: records the confirmation, then resumes the waiting
 * workflow. The conditional write comes first so that a cancellation racing it has exactly one
 * winner: whichever moves the payment out of AWAITING_TRANSFER answers the workflow.
 */
export async function confirmBankTransfer(
  orderId: string,
  deps: { store: PaymentsStore; callbacks: TaskCallbacks; now: Date },
): Promise<TransferConfirmation> {
  const payment = await deps.store.get(orderId);
  if (!payment) throw new PaymentNotFoundError(`No payment exists for order ${orderId}`);
  const { taskToken, confirmedAt } = await recordConfirmation(payment, deps);
  const delivery = await deps.callbacks.succeed(taskToken, { orderId, confirmedAt });
  if (delivery === 'not-waiting') {
    throw new PaymentStateConflictError(
      `The payment workflow of order ${orderId} no longer awaits a transfer`,
    );
  }
  return { orderId, status: 'TRANSFER_CONFIRMED' };
}

async function recordConfirmation(
  payment: PaymentRecord,
  deps: { store: PaymentsStore; now: Date },
): Promise<{ taskToken: string; confirmedAt: string }> {
  const { orderId, status, taskToken } = payment;
  // Recorded before, but the answer may never have reached the workflow (a crash, a throttled call):
  // answer again. Step Functions takes one answer per token, so a repeat cannot resume it twice.
  if (status === 'TRANSFER_CONFIRMED' && taskToken) return { taskToken, confirmedAt: payment.updatedAt };
  if (status !== 'AWAITING_TRANSFER' || !taskToken) {
    throw new PaymentStateConflictError(
      `The payment of order ${orderId} is ${status}: no transfer is awaited`,
    );
  }
  const recorded = await deps.store.changeStatus(orderId, {
    from: ['AWAITING_TRANSFER'],
    to: 'TRANSFER_CONFIRMED',
    expectedTaskToken: taskToken,
    at: deps.now,
  });
  if (!recorded) {
    throw new PaymentStateConflictError(`The payment of order ${orderId} changed while being confirmed`);
  }
  return { taskToken, confirmedAt: deps.now.toISOString() };
}
