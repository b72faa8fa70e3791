import {
  type BankTransferNotice,
  bankTransferNoticeSchema,
  type TransferConfirmation,
} from '@shop/contracts/bank-webhook';
import type { Currency } from '@shop/contracts/money';
import { ConflictError } from '@shop/shared/errors';
import { parseWith } from '@shop/shared/validation';
import { PaymentNotFoundError, type PaymentRecord, PaymentStateConflictError } from './payment.ts';
import type { PaymentsStore, TaskCallbacks } from './ports.ts';

export function parseBankTransferNotice(body: unknown): BankTransferNotice {
  return parseWith(bankTransferNoticeSchema, body, 'Bank transfer notice');
}

/** The transfer's amount or currency is not the payment's: an operator must look (an underpayment). */
export class BankTransferMismatchError extends ConflictError {
  override readonly name = 'BankTransferMismatchError';
  readonly expected: { amount: number; currency: Currency };
  readonly received: { amount: number; currency: Currency };

  constructor(
    expected: BankTransferMismatchError['expected'],
    received: BankTransferMismatchError['received'],
  ) {
    super("The transfer's amount or currency is not the payment's");
    this.expected = expected;
    this.received = received;
  }
}

/** Statuses a payment moves through after its transfer was confirmed. */
const CONFIRMED_OR_LATER: ReadonlySet<PaymentRecord['status']> = new Set([
  'TRANSFER_CONFIRMED',
  'CAPTURED',
  'REFUNDED',
]);

/**
 * The bank's notice of a transfer: records the confirmation, then resumes the waiting workflow.
 * The conditional write comes first so that a cancellation racing it has exactly one winner:
 * whichever moves the payment out of AWAITING_TRANSFER answers the workflow. The bank may send a
 * notice again: the same reference gets the same answer, whatever the payment has become since.
 * A refused notice writes nothing.
 */
export async function confirmBankTransfer(
  notice: BankTransferNotice,
  deps: { store: PaymentsStore; callbacks: TaskCallbacks; now: Date },
): Promise<TransferConfirmation> {
  const { orderId } = notice;
  const payment = await deps.store.get(orderId);
  if (!payment) throw new PaymentNotFoundError(`No payment exists for order ${orderId}`);
  const outcome = await recordConfirmation(payment, notice, deps);
  if (outcome.kind === 'recorded') {
    const delivery = await deps.callbacks.succeed(outcome.taskToken, {
      orderId,
      confirmedAt: outcome.confirmedAt,
    });
    if (delivery === 'not-waiting') {
      throw new PaymentStateConflictError(
        `The payment workflow of order ${orderId} no longer awaits a transfer`,
      );
    }
  } else if (outcome.kind === 'repeated-before-capture') {
    // The first answer may never have reached the workflow (a crash, a throttled call): answer
    // again. Step Functions takes one answer per token, so a workflow that had it is not resumed twice.
    await deps.callbacks.succeed(outcome.taskToken, { orderId, confirmedAt: outcome.confirmedAt });
  }
  return { orderId, status: 'TRANSFER_CONFIRMED' };
}

type Recording =
  | { kind: 'recorded'; taskToken: string; confirmedAt: string }
  | { kind: 'repeated-before-capture'; taskToken: string; confirmedAt: string }
  | { kind: 'repeated-after-capture' };

async function recordConfirmation(
  payment: PaymentRecord,
  notice: BankTransferNotice,
  deps: { store: PaymentsStore; now: Date },
  retried = false,
): Promise<Recording> {
  const { orderId, status, taskToken } = payment;
  const noTransferAwaited = () =>
    new PaymentStateConflictError(`The payment of order ${orderId} is ${status}: no transfer is awaited`);
  if (payment.method !== 'bank_transfer' || payment.amount === undefined || payment.currency === undefined) {
    throw noTransferAwaited();
  }
  if (payment.amount !== notice.amount || payment.currency !== notice.currency) {
    throw new BankTransferMismatchError(
      { amount: payment.amount, currency: payment.currency },
      { amount: notice.amount, currency: notice.currency },
    );
  }
  if (payment.transferReference !== undefined) {
    // Another reference is another transfer for an order paid already: not this service's to take.
    if (payment.transferReference !== notice.reference || !CONFIRMED_OR_LATER.has(status)) {
      throw noTransferAwaited();
    }
    return status === 'TRANSFER_CONFIRMED' && taskToken
      ? { kind: 'repeated-before-capture', taskToken, confirmedAt: payment.updatedAt }
      : { kind: 'repeated-after-capture' };
  }
  if (status !== 'AWAITING_TRANSFER' || !taskToken) throw noTransferAwaited();
  const recorded = await deps.store.changeStatus(orderId, {
    from: ['AWAITING_TRANSFER'],
    to: 'TRANSFER_CONFIRMED',
    expectedTaskToken: taskToken,
    set: { transferReference: notice.reference, paidAt: notice.paidAt },
    at: deps.now,
  });
  if (recorded) return { kind: 'recorded', taskToken, confirmedAt: deps.now.toISOString() };
  // Another writer came first; if it was this notice delivered twice at once, this is a repeat.
  const fresh = retried ? undefined : await deps.store.get(orderId);
  if (!fresh) {
    throw new PaymentStateConflictError(`The payment of order ${orderId} changed while being confirmed`);
  }
  return recordConfirmation(fresh, notice, deps, true);
}
