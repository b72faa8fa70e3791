import type { PluginFault } from '@shop/local-cloud';

/** The test provider's delay for a slow answer, and how long before a call counts as timed out. */
const PROVIDER_LATENCY_MS = 300;
const PROVIDER_TIMEOUT_MS = 1_000;

/**
 * The payment provider's latency and timeouts: the payment functions' test provider injects them
 * itself, told by TEST_PROVIDER_FAULTS (apps/payments provider-faults.ts), and logs each with the
 * field `fault: 'provider-latency'`, which is how the local cloud counts them.
 */
export const providerLatency: PluginFault = {
  name: 'provider-latency',
  description:
    'the test payment provider answers slowly, or not in time (a transient ProviderUnavailableError)',
  defaultRate: 0.2,
  environment: ({ rate, seed }) => ({
    TEST_PROVIDER_FAULTS: JSON.stringify({
      rate,
      seed,
      latencyMs: PROVIDER_LATENCY_MS,
      timeoutMs: PROVIDER_TIMEOUT_MS,
    }),
  }),
};
