import { compensationSchema, EVENTS, type EventData, type EventOf } from '@shop/contracts/events';
import { CURRENCIES, type Currency } from '@shop/contracts/money';
import * as z from '@shop/contracts/zod';
import { ConflictError, NotFoundError } from '@shop/shared/errors';
import { deterministicId } from '@shop/shared/ids';
import { createEvent } from '@shop/shared/messages';

/**
 * A payment: one record per order in the Payments table, written by the payment workflow's own
 * DynamoDB steps and by this service's functions.
 *
 *   STARTED ─┬─ card ──────────────────────────────────────────▶ CAPTURED ─▶ REFUNDED
 *            └─ bank transfer ─▶ AWAITING_TRANSFER ─▶ TRANSFER_CONFIRMED ─┘
 *   any step before CAPTURED may end in FAILED; a cancellation ends a waiting transfer in CANCELLED.
 *   A FAILED payment records its compensation: a capture that failed or timed out is refunded.
 */
export const PAYMENT_STATUSES = [
  'STARTED',
  'AWAITING_TRANSFER',
  'TRANSFER_CONFIRMED',
  'CAPTURED',
  'FAILED',
  'REFUNDED',
  'CANCELLED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const orderIdSchema = z.string().check(z.minLength(1), z.maxLength(64));

const paymentRecordSchema = z.object({
  orderId: orderIdSchema,
  status: z.enum(PAYMENT_STATUSES),
  // The three below are absent only on a cancellation tombstone, written before any payment began.
  method: z.optional(z.enum(['card', 'bank_transfer'])),
  amount: z.optional(z.int()),
  currency: z.optional(z.enum(CURRENCIES)),
  attempts: z.int().check(z.minimum(0)),
  authorizationId: z.optional(z.string()),
  captureId: z.optional(z.string()),
  refundId: z.optional(z.string()),
  taskToken: z.optional(z.string()),
  /** Set with TRANSFER_CONFIRMED: the bank's id of the transfer, and when it was paid. */
  transferReference: z.optional(z.string()),
  paidAt: z.optional(z.string()),
  reason: z.optional(z.string()),
  /** Set with FAILED (and CANCELLED) by the workflow: what undid the failed payment. */
  compensation: z.optional(compensationSchema),
  updatedAt: z.string(),
});
export type PaymentRecord = z.infer<typeof paymentRecordSchema>;

/**
 * Checks a stored item: the state machine writes this table too, through JSONPath templates the
 * compiler never sees, so a drifted shape is caught here rather than acted on.
 */
export function parsePaymentRecord(item: unknown): PaymentRecord {
  const result = paymentRecordSchema.safeParse(item);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => issue.path.join('.') || '(root)');
  throw new InvalidPaymentRecordError(`Payment record has invalid field(s): ${fields.join(', ')}`);
}

export class InvalidPaymentRecordError extends Error {
  override readonly name = 'InvalidPaymentRecordError';
}

// Explicit names: bundles are minified, and a workflow task's error name is what Step Functions sees.

export class PaymentNotFoundError extends NotFoundError {
  override readonly name = 'PaymentNotFoundError';
}

/** The payment is missing or in a status that does not allow this step. */
export class PaymentStateConflictError extends ConflictError {
  override readonly name = 'PaymentStateConflictError';
}

/** The payment is still in flight: a cancellation has to wait until it has settled one way or the other. */
export class PaymentNotSettledError extends Error {
  override readonly name = 'PaymentNotSettledError';
}

/** Another writer changed the payment between its read and a conditional write: try again from the read. */
export class PaymentChangedError extends Error {
  override readonly name = 'PaymentChangedError';
}

/** What cancelling an order means for its payment, decided from the payment record alone. */
export type CancellationAction =
  /** No payment yet: leave a CANCELLED record, so a workflow that starts later fails its first write. */
  | { kind: 'write-tombstone' }
  /** A bank transfer is awaited: mark the payment CANCELLED, then fail the waiting task. */
  | { kind: 'cancel-transfer'; taskToken: string }
  /** Already CANCELLED while a transfer was awaited: fail the task again, in case a crash came between. */
  | { kind: 'repeat-transfer-failure'; taskToken: string }
  | { kind: 'refund'; captureId: string; amount: number; currency: Currency }
  /** Already REFUNDED: publish the fact again, in case a crash came between the write and the publish. */
  | { kind: 'republish-refund'; refund: EventData<typeof EVENTS.PaymentRefunded.type>; refundedAt: Date }
  | { kind: 'nothing-to-do' };

export function decideCancellation(payment: PaymentRecord | undefined): CancellationAction {
  if (!payment) return { kind: 'write-tombstone' };
  const field = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) {
      throw new InvalidPaymentRecordError(`A ${payment.status} payment must have ${name}`);
    }
    return value;
  };
  switch (payment.status) {
    case 'AWAITING_TRANSFER':
      return { kind: 'cancel-transfer', taskToken: field(payment.taskToken, 'taskToken') };
    case 'CAPTURED':
      return {
        kind: 'refund',
        captureId: field(payment.captureId, 'captureId'),
        amount: field(payment.amount, 'amount'),
        currency: field(payment.currency, 'currency'),
      };
    case 'REFUNDED':
      return {
        kind: 'republish-refund',
        refund: {
          orderId: payment.orderId,
          refundId: field(payment.refundId, 'refundId'),
          amount: field(payment.amount, 'amount'),
          currency: field(payment.currency, 'currency'),
        },
        refundedAt: new Date(payment.updatedAt),
      };
    case 'CANCELLED':
      return payment.taskToken
        ? { kind: 'repeat-transfer-failure', taskToken: payment.taskToken }
        : { kind: 'nothing-to-do' };
    case 'FAILED':
      return { kind: 'nothing-to-do' };
    case 'STARTED':
    case 'TRANSFER_CONFIRMED':
      throw new PaymentNotSettledError(
        `The payment of order ${payment.orderId} is ${payment.status}; the cancellation waits until it settles`,
      );
  }
}

/**
 * The PaymentRefunded event of an order. Its id is derived from the order, so publishing it again
 * after a crash is the same event, and consumers deduplicate it.
 */
export function paymentRefunded(
  refund: EventData<typeof EVENTS.PaymentRefunded.type>,
  options: { correlationId: string; refundedAt: Date },
): EventOf<typeof EVENTS.PaymentRefunded.type> {
  return createEvent(EVENTS.PaymentRefunded, refund, {
    correlationId: options.correlationId,
    id: deterministicId('evt', EVENTS.PaymentRefunded.type, refund.orderId),
    occurredAt: options.refundedAt,
  });
}
