import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../src/domain/provider-errors.ts';
import { refundPayment } from '../src/domain/refund-payment.ts';
import { aRecordingProvider } from './recording-provider.ts';

const input = { orderId: 'ord_refund', amount: 4_250, currency: 'EUR', correlationId: 'cor_1' } as const;

describe('refunding a payment', () => {
  it('refunds the capture it is given, and returns the refund id', async () => {
    const { provider, requests } = aRecordingProvider('refund', async () => ({ refundId: 'ref_1' }));

    await expect(refundPayment({ ...input, captureId: 'cap_1' }, { provider })).resolves.toEqual({
      refundId: 'ref_1',
    });
    expect(requests).toEqual([{ orderId: 'ord_refund', captureId: 'cap_1', amount: 4_250, currency: 'EUR' }]);
  });

  it("refunds the order's capture attempt when the workflow never learnt its capture id", async () => {
    const { provider, requests } = aRecordingProvider('refund', async () => ({ refundId: 'ref_2' }));

    await expect(refundPayment(input, { provider })).resolves.toEqual({ refundId: 'ref_2' });
    expect(requests).toEqual([
      { orderId: 'ord_refund', captureId: undefined, amount: 4_250, currency: 'EUR' },
    ]);
  });

  it("lets the provider's error through under its own name, for the workflow to retry", async () => {
    const { provider } = aRecordingProvider('refund', async () => {
      throw new ProviderUnavailableError('The provider is unavailable');
    });

    await expect(refundPayment(input, { provider })).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
  });
});
