import { deterministicId } from '@shop/shared/ids';
import type { PaymentProvider } from '../domain/ports.ts';
import { CardDeclinedError, ProviderUnavailableError } from '../domain/provider-errors.ts';

/** Transient failures of `tok_flaky` before it approves: the workflow's retries make them visible. */
const FLAKY_FAILURES = 2;

/**
 * The id prefix of an authorization of `tok_capture_timeout` ("auth., no answer"), whose every
 * capture is made but never answered in time. The provider keeps no state, so the capture learns
 * the test card's behaviour from the authorization it is given, as a payment service tags its test
 * objects. (Terse on purpose: this code is in the capture bundle, which must stay within 1.15 × its
 * floor, bench/budgets.json.)
 */
const UNANSWERED_CAPTURES = 'auna';

/**
 * The built-in test provider, like a payment service's test cards. It keeps no state:
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
      case 'tok_outage':
        // tok_outage never recovers; tok_flaky does after its failures.
        if (token === 'tok_outage' || attempt <= FLAKY_FAILURES) {
          throw new ProviderUnavailableError(`The provider is unavailable (attempt ${attempt})`);
        }
        break;
      case 'tok_capture_timeout':
        return { authorizationId: deterministicId(UNANSWERED_CAPTURES, orderId) };
      default:
        throw new CardDeclinedError('The card was declined: unknown test token');
    }
    return { authorizationId: deterministicId('auth', orderId) };
  },

  async capture({ orderId, authorizationId }) {
    if (authorizationId?.startsWith(UNANSWERED_CAPTURES)) {
      throw new ProviderUnavailableError('Capture made, answer lost');
    }
    return { captureId: deterministicId('cap', orderId) };
  },

  // The order is the idempotency key of its one capture: the same capture id, made or not.
  async refund({ orderId, captureId = deterministicId('cap', orderId) }) {
    return { refundId: deterministicId('ref', captureId) };
  },
};
