/** How a payment can end badly, as events and the API say it: plain lists, no schema, cheap to import. */
export const PAYMENT_FAILURE_REASONS = [
  'card_declined',
  'provider_unavailable',
  'bank_transfer_timeout',
  'cancelled',
] as const;
export type PaymentFailureReason = (typeof PAYMENT_FAILURE_REASONS)[number];

/**
 * What the payment workflow did to undo a failed payment: nothing was taken (`none_needed`: the
 * payment failed before a capture), the capture attempt was refunded (`refunded`: a capture that
 * failed or timed out may still have been made), or that refund failed too (`refund_failed`: an
 * operator acts on the refund function's alarm, docs/runbook.md).
 */
export const COMPENSATION_ACTIONS = ['none_needed', 'refunded', 'refund_failed'] as const;
export type CompensationAction = (typeof COMPENSATION_ACTIONS)[number];
