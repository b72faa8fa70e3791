import { workflowTask } from '@shop/shared/workflow-task';
import { paymentsStore } from '#adapters/payments-store';
import { taskCallbacks } from '#adapters/task-callbacks';
import { observability } from '#observability';
import { awaitBankTransfer } from '../domain/await-bank-transfer.ts';
import { parseAwaitBankTransferInput } from '../domain/task-inputs.ts';

const { logger } = observability;

/**
 * Workflow task, invoked with `.waitForTaskToken`: stores the token the workflow now waits on.
 * Its result is ignored; the workflow resumes when confirm-bank-transfer answers the token, or at
 * once when the transfer was confirmed before this step ran again.
 */
export const handler = workflowTask(observability, {
  parse: parseAwaitBankTransferInput,
  handle: async ({ orderId, taskToken }) => {
    const outcome = await awaitBankTransfer(
      { orderId, taskToken },
      { store: paymentsStore, callbacks: taskCallbacks, now: new Date() },
    );
    logger.info(outcome === 'awaiting' ? 'Awaiting bank transfer' : 'Bank transfer already confirmed', {
      orderId,
    });
    return {};
  },
});
