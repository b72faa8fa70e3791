import type { BankTransferNotice } from '@shop/contracts/bank-webhook';
import { signBankTransfer, signWebhook } from '@shop/testing/bank-webhook';
import { localEndpoints } from '@shop/testing/endpoints';
import { httpEvent, lambdaContext } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { capturedWhile } from '@shop/testing/output-capture';
import { createTestWorkflow } from '@shop/testing/resources';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PaymentRecord } from '../src/domain/payment.ts';
import { aWebhookSecret, createWebhookSecret } from './bank-webhook.ts';
import { aBankTransferNotice, aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

// The waiting workflow is a state machine of this file's own on the test Step Functions: each test
// starts an execution that waits for a callback, and the payment holds the token it waits on. The
// webhook secret is this file's own secret on the test Secrets Manager.
const workflow = await createTestWorkflow();
// Its callbacks time out after a second, for the test of a confirmation that comes too late.
const impatientWorkflow = await createTestWorkflow({ callbackTimeoutSeconds: 1 });
const table = await createPaymentsTable();
const secret = await createWebhookSecret();
const { handler } = await import('../src/handlers/confirm-bank-transfer.ts');
const load = async () => (await import('../src/handlers/confirm-bank-transfer.ts')).handler;
// The same handler where Step Functions cannot be reached: the endpoint drops every connection.
const withStepFunctionsDown = await importIsolated({ AWS_ENDPOINT_URL_SFN: localEndpoints().refusing }, load);
// The same handler with its log lines and metrics written, for the tests that read them.
const observed = await importIsolated(
  { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' },
  load,
);

type Handler = typeof handler;
const post = async (request: { body: string; headers: Record<string, string> }, to: Handler = handler) => {
  const response = await to(
    httpEvent({
      method: 'POST',
      route: '/webhooks/bank-transfers',
      headers: request.headers,
      body: request.body,
    }),
    lambdaContext(),
  );
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};
/** The bank's notice, signed with the stage's secret. */
const notify = (notice: BankTransferNotice, to: Handler = handler) =>
  post(signBankTransfer(secret.value, notice), to);
/** A transfer the workflow waits for: an execution waiting on a task, its token kept on the payment. */
const awaitedTransfer = async (status: PaymentRecord['status'] = 'AWAITING_TRANSFER', waiting = workflow) => {
  const { orderId } = aPayment();
  const { executionArn, taskToken } = await waiting.start(orderId);
  const payment = await table.seed(aPayment({ orderId, method: 'bank_transfer', status, taskToken }));
  return { payment, taskToken, executionArn };
};

const metricNames = (entries: Record<string, unknown>[]) =>
  entries.flatMap((entry) => {
    const aws = entry._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined;
    return aws?.CloudWatchMetrics?.flatMap(({ Metrics }) => Metrics.map((metric) => metric.Name)) ?? [];
  });

const INVALID_SIGNATURE = {
  status: 401,
  body: {
    error: { code: 'invalid_signature', message: 'The webhook signature is missing, invalid or expired' },
  },
};
const MINUTE_MS = 60_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /webhooks/bank-transfers', () => {
  it('records a signed notice with its reference and payment date, and resumes the waiting workflow: 202', async () => {
    const { payment, taskToken, executionArn } = await awaitedTransfer();
    const notice = aBankTransferNotice(payment);
    const response = await notify(notice);
    expect(response).toEqual({
      status: 202,
      body: { orderId: payment.orderId, status: 'TRANSFER_CONFIRMED' },
    });
    const [stored] = await table.itemsOf(payment.orderId);
    expect(stored).toEqual({
      ...payment,
      status: 'TRANSFER_CONFIRMED',
      transferReference: notice.reference,
      paidAt: notice.paidAt,
      taskToken,
      updatedAt: expect.any(String),
    });
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { orderId: payment.orderId, confirmedAt: stored?.updatedAt },
    });
  });

  const tampered = (notice: BankTransferNotice) => {
    const request = signBankTransfer(secret.value, notice);
    return { ...request, body: JSON.stringify({ ...notice, amount: notice.amount - 1 }) };
  };
  const unsigned = (notice: BankTransferNotice) => {
    const { 'webhook-signature': _signature, ...headers } = signBankTransfer(secret.value, notice).headers;
    return { body: JSON.stringify(notice), headers };
  };
  it.each([
    ['unsigned', unsigned],
    [
      'signed with another secret',
      (notice: BankTransferNotice) => signBankTransfer(aWebhookSecret(), notice),
    ],
    [
      'signed more than five minutes ago',
      (notice: BankTransferNotice) =>
        signBankTransfer(secret.value, notice, {
          timestamp: new Date(Date.now() - 5 * MINUTE_MS - 10_000),
        }),
    ],
    [
      'dated more than five minutes ahead',
      (notice: BankTransferNotice) =>
        signBankTransfer(secret.value, notice, {
          timestamp: new Date(Date.now() + 5 * MINUTE_MS + 10_000),
        }),
    ],
    ['whose body was changed after signing', tampered],
  ] as const)('refuses a notice %s with 401 invalid_signature and writes nothing', async (_case, request) => {
    const { payment, taskToken } = await awaitedTransfer();
    expect(await post(request(aBankTransferNotice(payment)))).toEqual(INVALID_SIGNATURE);
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    expect(await workflow.isWaiting(taskToken)).toBe(true);
  });

  it('logs a refused signature as one WARN line with its reason, never the signature, and counts it', async () => {
    const { payment } = await awaitedTransfer();
    const request = tampered(aBankTransferNotice(payment));
    const { text, entries } = await capturedWhile(async () => {
      expect(await post(request, observed)).toEqual(INVALID_SIGNATURE);
    });
    expect(entries.filter((entry) => entry.level === 'WARN')).toEqual([
      expect.objectContaining({
        message: 'Webhook signature rejected',
        reason: 'No matching signature found',
        webhookId: request.headers['webhook-id'],
      }),
    ]);
    expect(text).not.toContain(request.headers['webhook-signature']?.slice(3));
    expect(text).not.toContain(secret.value);
    expect(metricNames(entries)).toContain('WebhookSignatureRejected');
  });

  it('refuses a transfer short of the amount with 409, logs an ERROR with both amounts, counts it, and writes nothing', async () => {
    const { payment, taskToken } = await awaitedTransfer();
    const notice = aBankTransferNotice(payment, { amount: 4_200 });
    let response: unknown;
    const { entries } = await capturedWhile(async () => {
      response = await notify(notice, observed);
    });
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(entries.filter((entry) => entry.level === 'ERROR')).toEqual([
      expect.objectContaining({
        message: 'Bank transfer unlike its payment',
        orderId: payment.orderId,
        reference: notice.reference,
        expected: { amount: 4_250, currency: 'EUR' },
        received: { amount: 4_200, currency: 'EUR' },
      }),
    ]);
    expect(metricNames(entries)).toContain('BankTransferMismatch');
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    expect(await workflow.isWaiting(taskToken)).toBe(true);
  });

  it('refuses a transfer in another currency with 409 and writes nothing', async () => {
    const { payment, taskToken } = await awaitedTransfer();
    const response = await notify(aBankTransferNotice(payment, { currency: 'USD' }));
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
    expect(await workflow.isWaiting(taskToken)).toBe(true);
  });

  it('answers the same reference again with the same 202, and writes nothing more', async () => {
    const { payment, executionArn } = await awaitedTransfer();
    const notice = aBankTransferNotice(payment);
    const first = await notify(notice);
    const recorded = await table.itemsOf(payment.orderId);
    expect(await notify(notice)).toEqual(first);
    expect(await table.itemsOf(payment.orderId)).toEqual(recorded);
    expect(await workflow.ended(executionArn)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('answers the same reference with the same 202 after the capture moved the payment on', async () => {
    const notice = aBankTransferNotice(aPayment());
    const captured = await table.seed(
      aPayment({
        orderId: notice.orderId,
        method: 'bank_transfer',
        status: 'CAPTURED',
        captureId: 'cap_1',
        taskToken: 'token-answered-long-ago',
        transferReference: notice.reference,
        paidAt: notice.paidAt,
      }),
    );
    expect(await notify(notice)).toEqual({
      status: 202,
      body: { orderId: notice.orderId, status: 'TRANSFER_CONFIRMED' },
    });
    expect(await table.itemsOf(notice.orderId)).toEqual([captured]);
  });

  it('refuses a second transfer under another reference for a payment already confirmed: 409, nothing written', async () => {
    const { payment } = await awaitedTransfer();
    await notify(aBankTransferNotice(payment));
    const confirmed = await table.itemsOf(payment.orderId);
    const response = await notify(aBankTransferNotice(payment));
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await table.itemsOf(payment.orderId)).toEqual(confirmed);
  });

  it('answers 404 for an order without a payment', async () => {
    const { orderId } = aPayment();
    const { taskToken } = await workflow.start(orderId);
    const response = await notify(aBankTransferNotice({ orderId }));
    expect(response).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await table.itemsOf(orderId)).toEqual([]);
    expect(await workflow.isWaiting(taskToken)).toBe(true);
  });

  it.each(['STARTED', 'CAPTURED', 'CANCELLED'] as const)(
    'answers 409 when the transfer is %s, because none is awaited, and writes nothing',
    async (status) => {
      const { payment, taskToken } = await awaitedTransfer(status);
      const response = await notify(aBankTransferNotice(payment));
      expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
      expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
      expect(await workflow.isWaiting(taskToken)).toBe(true);
    },
  );

  it('answers 409 for a card payment, which waits for no transfer, and writes nothing', async () => {
    const payment = await table.seed(aPayment({ status: 'STARTED', method: 'card' }));
    const response = await notify(aBankTransferNotice(payment));
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
  });

  it('answers 409 when Step Functions says the waiting task timed out', async () => {
    const { payment, executionArn } = await awaitedTransfer('AWAITING_TRANSFER', impatientWorkflow);
    expect(await impatientWorkflow.ended(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'States.Timeout',
    });
    const response = await notify(aBankTransferNotice(payment));
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it('answers 409 when Step Functions knows no task by the stored token', async () => {
    const payment = await table.seed(
      aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'a-token-never-issued' }),
    );
    const response = await notify(aBankTransferNotice(payment));
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
  });

  it('delivers a recorded confirmation again when the bank repeats a notice whose first answer did not reach the workflow', async () => {
    const { payment, taskToken, executionArn } = await awaitedTransfer();
    const notice = aBankTransferNotice(payment);
    expect((await notify(notice, withStepFunctionsDown)).status).toBe(500);
    const [recorded] = await table.itemsOf(payment.orderId);
    expect(recorded).toMatchObject({ status: 'TRANSFER_CONFIRMED', transferReference: notice.reference });
    expect(await workflow.isWaiting(taskToken)).toBe(true);
    expect(await notify(notice)).toEqual({
      status: 202,
      body: { orderId: payment.orderId, status: 'TRANSFER_CONFIRMED' },
    });
    expect(await workflow.ended(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { orderId: payment.orderId, confirmedAt: recorded?.updatedAt },
    });
    expect(await table.itemsOf(payment.orderId)).toEqual([recorded]);
  });

  it('refuses a signed body that breaks the notice rules with 400 naming each field, and writes nothing', async () => {
    const { payment } = await awaitedTransfer();
    const body = {
      ...aBankTransferNotice(payment),
      orderId: 'ord_1',
      amount: 42.5,
      reference: 'TRF 1',
      paidAt: 'yesterday',
      note: 'extra',
    };
    const response = await post(signWebhook(secret.value, JSON.stringify(body)));
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'validation_failed' } } });
    const paths = (response.body.error.details as { path: string }[]).map((detail) => detail.path).sort();
    expect(paths).toEqual(['(root)', 'amount', 'orderId', 'paidAt', 'reference']);
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
  });

  it('reads a signed body only as JSON: another content type is 415, and writes nothing', async () => {
    const { payment } = await awaitedTransfer();
    const request = signBankTransfer(secret.value, aBankTransferNotice(payment));
    const response = await post({
      ...request,
      headers: { ...request.headers, 'content-type': 'text/plain' },
    });
    expect(response).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    expect(await table.itemsOf(payment.orderId)).toEqual([payment]);
  });
});

describe('the webhook secret', () => {
  it('verifies a notice the bank signs with the old and the new secret while it rotates', async () => {
    const { payment } = await awaitedTransfer();
    const request = signBankTransfer([aWebhookSecret(), secret.value], aBankTransferNotice(payment));
    expect((await post(request)).status).toBe(202);
  });

  it('is read again five minutes after it was read, so a rotated secret takes over', async () => {
    // A function of its own, with a secret of its own to rotate; only Date is faked, so the SDK's
    // own timers run as they do.
    const rotating = await createWebhookSecret('ROTATING_SECRET_ARN');
    const rotatingHandler = await importIsolated({ BANK_WEBHOOK_SECRET_ARN: rotating.arn }, load);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const notify = async (secretValue: string) => {
      const { payment } = await awaitedTransfer();
      const request = signBankTransfer(secretValue, aBankTransferNotice(payment));
      return (await post(request, rotatingHandler)).status;
    };
    expect(await notify(rotating.value)).toBe(202);
    const next = aWebhookSecret();
    await rotating.rotate(next);
    expect(await notify(next)).toBe(401);
    vi.setSystemTime(Date.now() + 5 * MINUTE_MS + 1_000);
    expect(await notify(next)).toBe(202);
    expect(await notify(rotating.value)).toBe(401);
  });
});
