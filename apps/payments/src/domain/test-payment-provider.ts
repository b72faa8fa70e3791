import { deterministicId } from '@shop/shared/ids';
import { CardDeclinedError, type PaymentProvider, ProviderUnavailableError } from './payment-provider.ts';

/** Transient failures of `tok_flaky` before it approves: the workflow's retries make them visible. */
const FLAKY_FAILURES = 2;

/**
 * The built-in test provider, like a payment service's test cards (DESIGN §4). It keeps no state:
 * the outcome depends only on the token and the attempt number, and every id is derived from the
 * order, so a retried call returns the same authorization, capture or refund.
 */
export const testPaymentProvider: PaymentProvider = {
  async authorize({ orderId, token, attempt }) {
    switch (token) {
      case 'tok_visa':
        break;
      case 'tok_declined':
        throw new CardDeclinedError('The card was declined');
      case 'tok_flaky':
        if (attempt <= FLAKY_FAILURES) {
          throw new ProviderUnavailableError(`The provider is unavailable (attempt ${attempt})`);
        }
        break;
      case 'tok_outage':
        throw new ProviderUnavailableError(`The provider is unavailable (attempt ${attempt})`);
      default:
        throw new CardDeclinedError('The card was declined: unknown test token');
    }
    return { authorizationId: deterministicId('auth', orderId) };
  },

  async capture({ orderId }) {
    return { captureId: deterministicId('cap', orderId) };
  },

  async refund({ captureId }) {
    return { refundId: deterministicId('ref', captureId) };
  },
};
