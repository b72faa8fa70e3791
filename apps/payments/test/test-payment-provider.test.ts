import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import { testPaymentProvider as provider } from '../src/adapters/test-payment-provider.ts';
import { CardDeclinedError, ProviderUnavailableError } from '../src/domain/provider-errors.ts';

const orderId = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';
const authorize = (token: string, attempt: number) =>
  provider.authorize({ orderId, amount: 4_250, currency: 'EUR', token, attempt });
const authorization = { authorizationId: deterministicId('auth', orderId) };

describe('the test payment provider', () => {
  it('approves tok_visa with an authorization id derived from the order', async () => {
    await expect(authorize('tok_visa', 1)).resolves.toEqual(authorization);
  });

  it('declines tok_declined with a CardDeclinedError, on every attempt', async () => {
    for (const attempt of [1, 2]) {
      await expect(authorize('tok_declined', attempt)).rejects.toMatchObject({ name: 'CardDeclinedError' });
    }
  });

  it.each([1, 2])('is unavailable for tok_flaky on attempt %i', async (attempt) => {
    await expect(authorize('tok_flaky', attempt)).rejects.toThrow(ProviderUnavailableError);
    await expect(authorize('tok_flaky', attempt)).rejects.toMatchObject({ name: 'ProviderUnavailableError' });
  });

  it('approves tok_flaky from attempt 3 on', async () => {
    await expect(authorize('tok_flaky', 3)).resolves.toEqual(authorization);
    await expect(authorize('tok_flaky', 4)).resolves.toEqual(authorization);
  });

  it.each([1, 10])('is unavailable for tok_outage on attempt %i', async (attempt) => {
    await expect(authorize('tok_outage', attempt)).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
  });

  it('declines an unknown token as an unknown test token', async () => {
    const declined = authorize('tok_mastercard', 1);
    await expect(declined).rejects.toThrow(CardDeclinedError);
    await expect(declined).rejects.toMatchObject({
      name: 'CardDeclinedError',
      message: expect.stringContaining('unknown test token'),
    });
  });

  it('captures with an id derived from the order, the same on every repeat', async () => {
    const capture = () =>
      provider.capture({ orderId, amount: 4_250, currency: 'EUR', method: 'bank_transfer' });
    const first = await capture();
    expect(first).toEqual({ captureId: deterministicId('cap', orderId) });
    await expect(capture()).resolves.toEqual(first);
    await expect(
      provider.capture({ orderId: 'ord_other', amount: 4_250, currency: 'EUR', method: 'bank_transfer' }),
    ).resolves.not.toEqual(first);
  });

  it('refunds a capture with an id derived from the capture, so a repeated refund is the same refund', async () => {
    const captureId = deterministicId('cap', orderId);
    const refund = () => provider.refund({ orderId, captureId, amount: 4_250, currency: 'EUR' });
    await expect(refund()).resolves.toEqual({ refundId: deterministicId('ref', captureId) });
    await expect(refund()).resolves.toEqual(await refund());
  });

  it('refunds the capture attempt of an order whose capture went unanswered, as the refund of that capture', async () => {
    const unanswered = await provider.refund({ orderId, amount: 4_250, currency: 'EUR' });
    expect(unanswered).toEqual({ refundId: deterministicId('ref', deterministicId('cap', orderId)) });
    const { captureId } = await provider.capture({ orderId, amount: 4_250, currency: 'EUR', method: 'card' });
    await expect(provider.refund({ orderId, captureId, amount: 4_250, currency: 'EUR' })).resolves.toEqual(
      unanswered,
    );
  });

  it('approves tok_capture_timeout, then never answers its capture in time, on every try', async () => {
    const { authorizationId } = await authorize('tok_capture_timeout', 1);
    expect(authorizationId).not.toEqual(authorization.authorizationId);
    for (let attempt = 1; attempt <= 2; attempt++) {
      await expect(
        provider.capture({ orderId, amount: 4_250, currency: 'EUR', method: 'card', authorizationId }),
      ).rejects.toMatchObject({
        name: 'ProviderUnavailableError',
        message: 'Capture made, answer lost',
      });
    }
  });
});

describe('the provider errors', () => {
  it('carry the names the payment workflow retries and catches on', () => {
    expect(new CardDeclinedError('declined')).toMatchObject({
      name: 'CardDeclinedError',
      message: 'declined',
    });
    expect(new ProviderUnavailableError('down').name).toBe('ProviderUnavailableError');
    expect(new ProviderUnavailableError('down')).toBeInstanceOf(Error);
  });
});
