import { digestOf } from '@shop/shared/ids';
import type { PaymentProvider } from '../domain/ports.ts';
import { ProviderUnavailableError } from '../domain/provider-errors.ts';

/**
 * Provider latency and timeouts, for the local cloud's fault injection only (it sets
 * TEST_PROVIDER_FAULTS on the payment functions; nothing else does). A share of the provider's calls
 * is slow; half of those do not answer in time, which the caller sees as a transient
 * ProviderUnavailableError that the workflow retries. A capture that times out has been made at
 * the provider first (the answer is what gets lost), the case that tests a retry for a double capture.
 *
 * Whether a call is slow is decided from the seed, the operation, the order, the call number and
 * the execution environment (`instance`): a retry draws again even when it lands in a fresh
 * environment, whose call count starts over.
 */
export interface ProviderFaultSettings {
  /** The share of calls that are slow (0..1). */
  rate: number;
  seed: number;
  /** How long a slow call takes, at most. */
  latencyMs: number;
  /** How long a call waits before it gives up (a timeout). */
  timeoutMs: number;
}

export type ProviderFaultListener = (fault: { operation: string; orderId: string; outcome: string }) => void;

export function parseProviderFaultSettings(text: string | undefined): ProviderFaultSettings | undefined {
  if (!text) return undefined;
  const settings = JSON.parse(text) as ProviderFaultSettings;
  // Number.isFinite is false for anything that is not a number, missing fields included.
  const numbers = [settings.rate, settings.seed, settings.latencyMs, settings.timeoutMs];
  if (!numbers.every((value) => Number.isFinite(value) && value >= 0) || settings.rate > 1) {
    // What it needs is ProviderFaultSettings; the message is terse because it is in the capture
    // bundle, which must stay within 1.15 × its floor (bench/budgets.json).
    throw new Error(`Invalid TEST_PROVIDER_FAULTS: ${text}`);
  }
  return settings;
}

export function withProviderFaults(
  provider: PaymentProvider,
  settings: ProviderFaultSettings,
  onFault: ProviderFaultListener,
  options: { instance?: string; sleep?: (ms: number) => Promise<void> } = {},
): PaymentProvider {
  const { instance = '', sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) } =
    options;
  const calls = new Map<string, number>();
  const draw = (...parts: (string | number)[]) => digestOf(...parts).readUInt32LE(0) / 4_294_967_296;

  async function call<T>(operation: string, orderId: string, run: () => Promise<T>, attempt = 0): Promise<T> {
    const key = `${operation}:${orderId}:${attempt}`;
    const number = (calls.get(key) ?? 0) + 1;
    calls.set(key, number);
    const chance = draw(settings.seed, instance, key, number);
    if (chance >= settings.rate) return run();
    // The lower half of the slow calls time out; the others answer late.
    if (chance < settings.rate / 2) {
      onFault({ operation, orderId, outcome: `timed out after ${settings.timeoutMs} ms` });
      // A capture or refund reaches the provider before the answer is lost; an authorization does not matter.
      if (operation !== 'authorize') await run();
      await sleep(settings.timeoutMs);
      throw new ProviderUnavailableError(
        `The provider did not answer ${operation} within ${settings.timeoutMs} ms`,
      );
    }
    const latency = Math.round(settings.latencyMs * draw(settings.seed, 'latency', key, number));
    onFault({ operation, orderId, outcome: `answered after ${latency} ms` });
    await sleep(latency);
    return run();
  }

  return {
    authorize: (request) =>
      call('authorize', request.orderId, () => provider.authorize(request), request.attempt),
    capture: (request) => call('capture', request.orderId, () => provider.capture(request)),
    refund: (request) => call('refund', request.orderId, () => provider.refund(request)),
  };
}
