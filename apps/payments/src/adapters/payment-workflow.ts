import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { readEnv } from '@shop/shared/config';
import type { PaymentWorkflow } from '../domain/ports.ts';

const { stateMachineArn } = readEnv({ stateMachineArn: 'PAYMENT_WORKFLOW_ARN' });
const client = new SFNClient(awsClientConfig('sfn'));

export const paymentWorkflow: PaymentWorkflow = {
  async start(input) {
    try {
      // Naming the execution after the order makes Step Functions the guard against a second
      // payment: a repeat with the same input while it runs returns the same execution, and any
      // other repeat (another input, or after it ended) is refused with ExecutionAlreadyExists.
      await client.send(
        new StartExecutionCommand({ stateMachineArn, name: input.orderId, input: JSON.stringify(input) }),
      );
      return 'started';
    } catch (error) {
      if (error instanceof Error && error.name === 'ExecutionAlreadyExists') return 'already-started';
      throw error;
    }
  },
};
