import { httpHandler } from '@shop/shared/http';
import { isId } from '@shop/shared/ids';
import { paymentsStore } from '#adapters/payments-store';
import { taskCallbacks } from '#adapters/task-callbacks';
import { observability } from '#observability';
import { confirmBankTransfer } from '../domain/bank-transfer.ts';
import { PaymentNotFoundError } from '../domain/payment.ts';

const { logger } = observability;

/** POST /payments/{orderId}/confirm: the bank-transfer provider's callback. No body needed. */
export const handler = httpHandler(observability, async (request) => {
  const orderId = request.pathParameter('orderId');
  // Only an order id can have a payment waiting: anything else is "nothing waits", without a lookup
  // and without echoing the client's input.
  if (!isId(orderId, 'ord')) throw new PaymentNotFoundError('No payment waits for this order id');
  const confirmation = await confirmBankTransfer(orderId, {
    store: paymentsStore,
    callbacks: taskCallbacks,
    now: new Date(),
  });
  logger.info('Bank transfer confirmed', { orderId });
  return { status: 202, body: confirmation };
});
