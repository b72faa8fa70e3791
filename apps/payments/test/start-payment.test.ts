import { describe, expect, it } from 'vitest';
import type { PaymentWorkflow, PaymentWorkflowInput } from '../src/domain/ports.ts';
import { startPayment } from '../src/domain/start-payment.ts';
import { aRequestPayment } from './builders.ts';

/** A workflow that keeps one execution per order, as Step Functions does with the order as its name. */
function oneWorkflowPerOrder() {
  const started = new Map<string, PaymentWorkflowInput>();
  const workflow: PaymentWorkflow = {
    async start(input) {
      if (started.has(input.orderId)) return 'already-started';
      started.set(input.orderId, input);
      return 'started';
    },
  };
  return { workflow, started };
}

describe('starting a payment', () => {
  it("starts the workflow of the command's order with the command's data and correlation id", async () => {
    const { workflow, started } = oneWorkflowPerOrder();
    const command = aRequestPayment();

    await expect(startPayment(command, { workflow })).resolves.toBe('started');
    expect([...started.values()]).toEqual([{ ...command.data, correlationId: command.correlationId }]);
  });

  it('starts nothing more for a repeated command, and says the workflow exists', async () => {
    const { workflow, started } = oneWorkflowPerOrder();
    const command = aRequestPayment();
    await startPayment(command, { workflow });

    await expect(startPayment(command, { workflow })).resolves.toBe('already-started');
    expect(started.size).toBe(1);
  });
});
