import { describe, expect, it } from 'vitest';
import { capturePayment } from '../src/domain/capture-payment.ts';
import { ProviderUnavailableError } from '../src/domain/provider-errors.ts';
import { aRecordingProvider } from './recording-provider.ts';

const input = { orderId: 'ord_capture', amount: 4_250, currency: 'EUR', correlationId: 'cor_1' } as const;

describe('capturing a payment', () => {
  it('captures a card payment with its authorization, and returns the capture id', async () => {
    const { provider, requests } = aRecordingProvider('capture', async () => ({ captureId: 'cap_1' }));

    const result = await capturePayment(
      { ...input, method: 'card', authorizationId: 'auth_1' },
      { provider },
    );

    expect(result).toEqual({ captureId: 'cap_1' });
    expect(requests).toEqual([
      { orderId: 'ord_capture', amount: 4_250, currency: 'EUR', method: 'card', authorizationId: 'auth_1' },
    ]);
  });

  it('captures a confirmed bank transfer, which has no authorization', async () => {
    const { provider, requests } = aRecordingProvider('capture', async () => ({ captureId: 'cap_2' }));

    await expect(capturePayment({ ...input, method: 'bank_transfer' }, { provider })).resolves.toEqual({
      captureId: 'cap_2',
    });
    expect(requests).toEqual([
      {
        orderId: 'ord_capture',
        amount: 4_250,
        currency: 'EUR',
        method: 'bank_transfer',
        authorizationId: undefined,
      },
    ]);
  });

  it("lets the provider's error through under its own name, for the workflow to retry", async () => {
    const { provider } = aRecordingProvider('capture', async () => {
      throw new ProviderUnavailableError('Capture made, answer lost');
    });

    await expect(
      capturePayment({ ...input, method: 'card', authorizationId: 'auth_1' }, { provider }),
    ).rejects.toMatchObject({ name: 'ProviderUnavailableError' });
  });
});
