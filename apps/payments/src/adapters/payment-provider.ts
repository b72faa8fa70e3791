import type { PaymentProvider } from '../domain/payment-provider.ts';
import { testPaymentProvider } from '../domain/test-payment-provider.ts';

/**
 * The payment provider this deployment uses: the built-in test provider, which moves no money.
 * A real deployment swaps in an adapter for its payment service here (its client and credentials
 * created at module scope, like the other adapters), implementing the same port, and passes an
 * idempotency key per capture on refunds so that a repeated refund stays one refund.
 */
export const paymentProvider: PaymentProvider = testPaymentProvider;
