import { describe, expect, it } from 'vitest';
import { withProviderFaults } from '../src/adapters/provider-faults.ts';
import { testPaymentProvider } from '../src/adapters/test-payment-provider.ts';

const card = { amount: 4_250, currency: 'EUR' as const };
const instantly = async () => undefined;

function faultyProvider(rate: number) {
  const faults: { operation: string; orderId: string; outcome: string }[] = [];
  let captures = 0;
  const counting = {
    ...testPaymentProvider,
    capture: async (request: Parameters<typeof testPaymentProvider.capture>[0]) => {
      captures += 1;
      return testPaymentProvider.capture(request);
    },
  };
  const provider = withProviderFaults(
    counting,
    { rate, seed: 7, latencyMs: 50, timeoutMs: 100 },
    (fault) => faults.push(fault),
    { sleep: instantly },
  );
  return { provider, faults, captures: () => captures };
}

describe('the test provider with injected latency and timeouts', () => {
  it('passes every call straight through at rate 0', async () => {
    const { provider, faults } = faultyProvider(0);
    for (let order = 0; order < 50; order += 1) {
      await provider.authorize({ orderId: `ord_${order}`, token: 'tok_visa', attempt: 1, ...card });
    }
    expect(faults).toEqual([]);
  });

  it('times out about half of the slowed calls with a retryable ProviderUnavailableError', async () => {
    const { provider, faults } = faultyProvider(1);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, order) =>
        provider.authorize({ orderId: `ord_${order}`, token: 'tok_visa', attempt: 1, ...card }),
      ),
    );
    const timedOut = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(faults).toHaveLength(200);
    expect(timedOut.length).toBeGreaterThan(60);
    expect(timedOut.length).toBeLessThan(140);
    for (const outcome of timedOut) {
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ name: 'ProviderUnavailableError' });
    }
  });

  it('makes a capture whose answer times out, and a retried capture returns the same capture id', async () => {
    const { provider, faults, captures } = faultyProvider(1);
    const request = { orderId: 'ord_timeout', method: 'card' as const, authorizationId: 'auth_1', ...card };
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => provider.capture(request)));
    const answered = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(faults.filter((fault) => fault.outcome.startsWith('timed out')).length).toBeGreaterThan(0);
    expect(answered.length).toBeGreaterThan(0);
    // Timed out or not, every call reached the provider: only the answer was lost.
    expect(captures()).toBe(10);
    expect(new Set(answered.map((outcome) => outcome.value.captureId)).size).toBe(1);
  });

  it('decides from the seed, the order and the call number, so a run repeats', async () => {
    const first = faultyProvider(0.5);
    const second = faultyProvider(0.5);
    for (const { provider } of [first, second]) {
      for (let order = 0; order < 30; order += 1) {
        await provider
          .authorize({ orderId: `ord_${order}`, token: 'tok_visa', attempt: 1, ...card })
          .catch(() => undefined);
      }
    }
    expect(first.faults.length).toBeGreaterThan(0);
    expect(first.faults).toEqual(second.faults);
  });
});
