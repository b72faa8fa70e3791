import { deterministicId } from '@shop/shared/ids';
import { lambdaContext } from '@shop/testing/events';
import { createTestWorkflow } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import { aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

const table = await createPaymentsTable();
const authorize = (await import('../src/handlers/authorize.ts')).handler;
const capture = (await import('../src/handlers/capture.ts')).handler;
const refund = (await import('../src/handlers/refund.ts')).handler;
const awaitBankTransfer = (await import('../src/handlers/await-bank-transfer.ts')).handler;

const correlationId = 'cor_1';
const authorizeInput = (orderId: string, token: string) => ({
  orderId,
  amount: 4_250,
  currency: 'EUR',
  token,
  correlationId,
});

describe('the authorize task', () => {
  it('counts the attempt and returns the authorization for tok_visa', async () => {
    const { orderId } = await table.seed(aPayment());
    await expect(authorize(authorizeInput(orderId, 'tok_visa'), lambdaContext())).resolves.toEqual({
      authorizationId: deterministicId('auth', orderId),
      attempts: 1,
    });
    expect(await table.itemsOf(orderId)).toEqual([
      expect.objectContaining({ orderId, status: 'STARTED', attempts: 1 }),
    ]);
  });

  it('throws CardDeclinedError for tok_declined, with the attempt counted', async () => {
    const { orderId } = await table.seed(aPayment());
    await expect(authorize(authorizeInput(orderId, 'tok_declined'), lambdaContext())).rejects.toMatchObject({
      name: 'CardDeclinedError',
    });
    expect(await table.itemsOf(orderId)).toEqual([expect.objectContaining({ attempts: 1 })]);
  });

  it('fails tok_flaky twice with ProviderUnavailableError, then authorizes on the third call', async () => {
    const { orderId } = await table.seed(aPayment());
    const input = authorizeInput(orderId, 'tok_flaky');
    for (let call = 1; call <= 2; call++) {
      await expect(authorize(input, lambdaContext())).rejects.toMatchObject({
        name: 'ProviderUnavailableError',
      });
    }
    await expect(authorize(input, lambdaContext())).resolves.toEqual({
      authorizationId: deterministicId('auth', orderId),
      attempts: 3,
    });
    expect(await table.itemsOf(orderId)).toEqual([expect.objectContaining({ attempts: 3 })]);
  });

  it('refuses an order without a STARTED payment and writes nothing', async () => {
    const orderId = 'ord_without_payment';
    await expect(authorize(authorizeInput(orderId, 'tok_visa'), lambdaContext())).rejects.toMatchObject({
      name: 'PaymentStateConflictError',
    });
    expect(await table.itemsOf(orderId)).toEqual([]);
  });

  it('throws a ValidationError naming the bad fields of an invalid input', async () => {
    const { orderId } = await table.seed(aPayment());
    const input = { ...authorizeInput(orderId, ''), amount: 12.5 };
    await expect(authorize(input, lambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      details: [expect.objectContaining({ path: 'amount' }), expect.objectContaining({ path: 'token' })],
    });
    expect(await table.itemsOf(orderId)).toEqual([expect.objectContaining({ attempts: 0 })]);
  });
});

describe('the capture task', () => {
  it('captures an authorized card payment', async () => {
    const input = {
      orderId: 'ord_capture',
      amount: 4_250,
      currency: 'EUR',
      method: 'card',
      authorizationId: deterministicId('auth', 'ord_capture'),
      correlationId,
    };
    await expect(capture(input, lambdaContext())).resolves.toEqual({
      captureId: deterministicId('cap', 'ord_capture'),
    });
  });

  it('captures a confirmed bank transfer, which has no authorization', async () => {
    const input = {
      orderId: 'ord_transfer',
      amount: 4_250,
      currency: 'EUR',
      method: 'bank_transfer',
      correlationId,
    };
    await expect(capture(input, lambdaContext())).resolves.toEqual({
      captureId: deterministicId('cap', 'ord_transfer'),
    });
  });

  it('refuses a card capture without its authorization', async () => {
    const input = { orderId: 'ord_capture', amount: 4_250, currency: 'EUR', method: 'card', correlationId };
    await expect(capture(input, lambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      details: [expect.objectContaining({ path: 'authorizationId' })],
    });
  });
});

describe('the refund task', () => {
  it('refunds a capture with the id derived from it', async () => {
    const captureId = deterministicId('cap', 'ord_refund');
    const input = { orderId: 'ord_refund', captureId, amount: 4_250, currency: 'EUR', correlationId };
    await expect(refund(input, lambdaContext())).resolves.toEqual({
      refundId: deterministicId('ref', captureId),
    });
  });

  it('refunds the capture attempt of an order when the workflow never learnt its capture id', async () => {
    const input = { orderId: 'ord_refund', amount: 4_250, currency: 'EUR', correlationId };
    await expect(refund(input, lambdaContext())).resolves.toEqual({
      refundId: deterministicId('ref', deterministicId('cap', 'ord_refund')),
    });
  });

  it('refuses a refund without the amount to refund', async () => {
    const input = { orderId: 'ord_refund', currency: 'EUR', correlationId };
    await expect(refund(input, lambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      details: [expect.objectContaining({ path: 'amount' })],
    });
  });
});

describe('the await-bank-transfer task', () => {
  const transfer = () => aPayment({ method: 'bank_transfer' });

  it('stores the task token of a started transfer and marks it AWAITING_TRANSFER', async () => {
    const { orderId } = await table.seed(transfer());
    await expect(
      awaitBankTransfer({ orderId, taskToken: 'token-1', correlationId }, lambdaContext()),
    ).resolves.toEqual({});
    expect(await table.itemsOf(orderId)).toEqual([
      expect.objectContaining({ orderId, status: 'AWAITING_TRANSFER', taskToken: 'token-1' }),
    ]);
  });

  it('keeps the newest token when the step is invoked again', async () => {
    const { orderId } = await table.seed(transfer());
    await awaitBankTransfer({ orderId, taskToken: 'token-1', correlationId }, lambdaContext());
    await awaitBankTransfer({ orderId, taskToken: 'token-2', correlationId }, lambdaContext());
    expect(await table.itemsOf(orderId)).toEqual([
      expect.objectContaining({ status: 'AWAITING_TRANSFER', taskToken: 'token-2' }),
    ]);
  });

  it('answers its own new token at once when the transfer was confirmed before the step ran again', async () => {
    // The step run again is an execution of a state machine of this test's own on the test Step
    // Functions, waiting on the new token (the soak's restart fault exercises this path end to end).
    const workflow = await createTestWorkflow();
    const confirmed = await table.seed(
      aPayment({ method: 'bank_transfer', status: 'TRANSFER_CONFIRMED', taskToken: 'token-1' }),
    );
    const { executionArn, taskToken } = await workflow.start(confirmed.orderId);
    const input = { orderId: confirmed.orderId, taskToken, correlationId };
    await expect(awaitBankTransfer(input, lambdaContext())).resolves.toEqual({});
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { orderId: confirmed.orderId, confirmedAt: confirmed.updatedAt },
    });
    expect(await table.itemsOf(confirmed.orderId)).toEqual([confirmed]);
  });

  it('refuses a payment that was cancelled before the wait began, and leaves it as it was', async () => {
    const cancelled = await table.seed(aPayment({ method: 'bank_transfer', status: 'CANCELLED' }));
    const input = { orderId: cancelled.orderId, taskToken: 'token-1', correlationId };
    await expect(awaitBankTransfer(input, lambdaContext())).rejects.toMatchObject({
      name: 'PaymentStateConflictError',
    });
    expect(await table.itemsOf(cancelled.orderId)).toEqual([cancelled]);
  });
});
