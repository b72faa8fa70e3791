import { httpHandler } from '@shop/shared/http';
import { parseWith } from '@shop/shared/validation';
import { paymentsStore } from '#adapters/payments-store';
import { taskCallbacks } from '#adapters/task-callbacks';
import { observability } from '#observability';
import { confirmBankTransfer } from '../domain/bank-transfer.ts';
import { orderIdSchema } from '../domain/payment.ts';

const { logger } = observability;

/** POST /payments/{orderId}/confirm: the bank-transfer provider's callback. No body needed. */
export const handler = httpHandler(observability, async (request) => {
  const orderId = parseWith(orderIdSchema, request.pathParameter('orderId'), 'orderId');
  const confirmation = await confirmBankTransfer(orderId, {
    store: paymentsStore,
    callbacks: taskCallbacks,
    now: new Date(),
  });
  logger.info('Bank transfer confirmed', { orderId });
  return { status: 202, body: confirmation };
});
