import type { COMMANDS, CommandOf } from '@shop/contracts/commands';
import type { PaymentWorkflow } from './ports.ts';

/**
 * Starts the payment workflow of the order a RequestPayment command is for, with the command's
 * correlation id. A repeated command starts nothing: an order has one workflow (`already-started`).
 */
export function startPayment(
  command: CommandOf<typeof COMMANDS.RequestPayment.type>,
  deps: { workflow: PaymentWorkflow },
): Promise<'started' | 'already-started'> {
  return deps.workflow.start({ ...command.data, correlationId: command.correlationId });
}
