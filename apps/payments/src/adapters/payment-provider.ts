import { observability } from '#observability';
import type { PaymentProvider } from '../domain/ports.ts';
import { parseProviderFaultSettings, withProviderFaults } from './provider-faults.ts';
import { testPaymentProvider } from './test-payment-provider.ts';

/**
 * The payment provider this deployment uses: the built-in test provider, which moves no money.
 * A real deployment swaps in an adapter for its payment service here (its client and credentials
 * created at module scope, like the other adapters), implementing the same port, and passes an
 * idempotency key per capture on refunds so that a repeated refund stays one refund.
 *
 * TEST_PROVIDER_FAULTS is set by the local cloud's fault injection only (`--faults provider-latency`):
 * the test provider then answers late or times out on a share of calls, and logs each time it does.
 */
const faults = parseProviderFaultSettings(process.env.TEST_PROVIDER_FAULTS);

export const paymentProvider: PaymentProvider = faults
  ? withProviderFaults(
      testPaymentProvider,
      faults,
      (fault) =>
        observability.logger.warn(`Injected fault provider-latency: ${fault.operation} ${fault.outcome}`, {
          fault: 'provider-latency',
          orderId: fault.orderId,
        }),
      { instance: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '' },
    )
  : testPaymentProvider;
