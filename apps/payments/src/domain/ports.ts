import type { PaymentMethod } from '@shop/shared/commands';
import type { Currency } from '@shop/shared/money';

/**
 * The port to the payment service that moves the money. The workflow drives it through the
 * authorize, capture and refund tasks; which service sits behind it is the adapter's choice.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<{ authorizationId: string }>;
  capture(request: CaptureRequest): Promise<{ captureId: string }>;
  /**
   * Must be idempotent per capture: a repeated refund of one capture is the same refund. Must also
   * succeed for a capture attempt whose outcome is unknown (no `captureId`): see RefundRequest.
   */
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}

export interface AuthorizeRequest {
  orderId: string;
  amount: number;
  currency: Currency;
  token: string;
  /** 1 for the first try; the workflow's retries count up, so a provider can tell them apart. */
  attempt: number;
}

export interface CaptureRequest {
  orderId: string;
  amount: number;
  currency: Currency;
  method: PaymentMethod['method'];
  /** Present for cards: the authorization being captured. */
  authorizationId?: string | undefined;
}

export interface RefundRequest {
  orderId: string;
  /**
   * The capture to refund. Absent when the workflow never learnt it: the capture failed or timed
   * out, and a timed-out capture may still have been made. The order is the capture's idempotency
   * key at the provider, so the provider refunds the order's capture if it was made, and otherwise
   * records the refund so that a capture arriving late is refused (a reversal, which payment
   * services offer as "cancel or refund").
   */
  captureId?: string | undefined;
  amount: number;
  currency: Currency;
}

// The names are literal rather than taken from the class, because bundles are minified and the
// payment workflow's Retry and Catch match on these exact strings.

/** The provider refused the payment for good: retrying cannot help. */
export class CardDeclinedError extends Error {
  override readonly name = 'CardDeclinedError';
}

/** The provider could not answer now: the workflow retries with backoff. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}
