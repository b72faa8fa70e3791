import type { PaymentMethod } from '@shop/shared/commands';
import type { Currency } from '@shop/shared/money';

/**
 * The port to the payment service that moves the money. The workflow drives it through the
 * authorize, capture and refund tasks; which service sits behind it is the adapter's choice.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<{ authorizationId: string }>;
  capture(request: CaptureRequest): Promise<{ captureId: string }>;
  /** Must be idempotent per capture: a repeated refund of one capture is the same refund. */
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
  captureId: string;
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
