import { deterministicId } from '@shop/shared/ids';
import { CardDeclinedError, type PaymentProvider, ProviderUnavailableError } from './payment-provider.ts';

/** Transient failures of `tok_flaky` before it approves: the workflow's retries make them visible. */
const FLAKY_FAILURES = 2;

/**
 * Marks the authorization of `tok_capture_timeout`, whose every capture is made but never answered
 * in time. The provider keeps no state, so the capture learns the test card's behaviour from the
 * authorization it is given, as a payment service tags its test objects.
 */
const CAPTURE_TIMES_OUT = '-capture-times-out';

/**
 * The built-in test provider, like a payment service's test cards (DESIGN §4). It keeps no state:
 * the outcome depends only on the token and the attempt number, and every id is derived from the
 * order, so a retried call returns the same authorization, capture or refund. A refund of an order
 * whose capture outcome is unknown is the refund of the capture the order would have had: the
 * same refund id either way, whether or not that capture was made.
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
      case 'tok_capture_timeout':
        return { authorizationId: `${deterministicId('auth', orderId)}${CAPTURE_TIMES_OUT}` };
      default:
        throw new CardDeclinedError('The card was declined: unknown test token');
    }
    return { authorizationId: deterministicId('auth', orderId) };
  },

  async capture({ orderId, authorizationId }) {
    if (authorizationId?.endsWith(CAPTURE_TIMES_OUT)) {
      throw new ProviderUnavailableError('The provider made the capture but did not answer in time');
    }
    return { captureId: captureIdOf(orderId) };
  },

  async refund({ orderId, captureId = captureIdOf(orderId) }) {
    return { refundId: deterministicId('ref', captureId) };
  },
};

/** The order is the idempotency key of its capture: one capture id per order. */
function captureIdOf(orderId: string): string {
  return deterministicId('cap', orderId);
}
