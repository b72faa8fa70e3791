import { workflowTask } from '@shop/shared/workflow-task';
import { paymentsStore } from '#adapters/payments-store';
import { observability } from '#observability';
import { awaitBankTransfer } from '../domain/bank-transfer.ts';
import { parseAwaitBankTransferInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/**
 * Workflow task, invoked with `.waitForTaskToken`: stores the token the workflow now waits on.
 * Its result is ignored; the workflow resumes when confirm-bank-transfer answers the token.
 */
export const handler = workflowTask(observability, {
  parse: parseAwaitBankTransferInput,
  handle: async ({ orderId, taskToken }) => {
    await awaitBankTransfer({ orderId, taskToken }, { store: paymentsStore, now: new Date() });
    logger.info('Awaiting bank transfer', { orderId });
    return {};
  },
});
