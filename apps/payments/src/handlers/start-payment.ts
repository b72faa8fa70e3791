import { COMMANDS } from '@shop/contracts/commands';
import { parseCommand } from '@shop/shared/messages';
import { sqsBatchHandler } from '@shop/shared/sqs';
import { paymentWorkflow } from '#adapters/payment-workflow';
import { observability } from '#observability';
import { startPayment } from '../domain/start-payment.ts';

const { logger } = observability;

/** Consumes RequestPayment commands and starts the order's payment workflow. */
export const handler = sqsBatchHandler(observability, {
  parse: (body) => parseCommand(COMMANDS.RequestPayment, body),
  handle: async (command) => {
    const outcome = await startPayment(command, { workflow: paymentWorkflow });
    logger.info(outcome === 'started' ? 'Payment workflow started' : 'Payment workflow already started', {
      orderId: command.data.orderId,
      outcome,
    });
  },
});
