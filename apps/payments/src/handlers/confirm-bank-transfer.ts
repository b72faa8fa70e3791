import { httpHandler } from '@shop/shared/http';
import { readJsonBody } from '@shop/shared/json-body';
import { bankWebhook } from '#adapters/bank-webhook';
import { paymentsStore } from '#adapters/payments-store';
import { taskCallbacks } from '#adapters/task-callbacks';
import { observability } from '#observability';
import {
  BankTransferMismatchError,
  confirmBankTransfer,
  parseBankTransferNotice,
} from '../domain/confirm-bank-transfer.ts';

const { logger, metrics } = observability;

/** POST /webhooks/bank-transfers: the bank's signed notice of a transfer received for an order. */
export const handler = httpHandler(observability, async (request) => {
  await bankWebhook.verify(request);
  const notice = parseBankTransferNotice(readJsonBody(request));
  const deps = { store: paymentsStore, callbacks: taskCallbacks, now: new Date() };
  const confirmation = await confirmBankTransfer(notice, deps).catch((error: unknown) => {
    if (error instanceof BankTransferMismatchError) {
      const { orderId, reference } = notice;
      const { expected, received } = error;
      logger.error('Bank transfer unlike its payment', { orderId, reference, expected, received });
      metrics.addMetric('BankTransferMismatch', 'Count', 1);
    }
    throw error;
  });
  logger.info('Bank transfer confirmed', { orderId: notice.orderId, reference: notice.reference });
  return { status: 202, body: confirmation };
});
