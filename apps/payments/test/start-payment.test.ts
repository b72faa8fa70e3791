import {
  ExecutionAlreadyExists,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { lambdaContext, sqsEvent } from '@shop/shared/testing/events';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { aRequestPayment } from './builders.ts';

// Step Functions is mocked: the local Step Functions lives in the local cloud (apps/local), which runs
// this service's bundles, so this service's tests cannot depend on it; the end-to-end tests start the
// workflow for real.
const stepFunctions = mockClient(SFNClient);
beforeEach(() => stepFunctions.reset());

const PAYMENT_WORKFLOW_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:PaymentWorkflow';
process.env.PAYMENT_WORKFLOW_ARN = PAYMENT_WORKFLOW_ARN;
const { handler } = await import('../src/handlers/start-payment.ts');

const startedExecutions = () =>
  stepFunctions.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);

describe('start-payment', () => {
  it('starts one workflow execution named by the order, with the command data and correlation id', async () => {
    const command = aRequestPayment();
    const result = await handler(sqsEvent([command]), lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(startedExecutions()).toEqual([
      {
        stateMachineArn: PAYMENT_WORKFLOW_ARN,
        name: command.data.orderId,
        input: JSON.stringify({ ...command.data, correlationId: command.correlationId }),
      },
    ]);
  });

  it('acknowledges a duplicate delivery whose execution already exists', async () => {
    stepFunctions
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const result = await handler(sqsEvent([aRequestPayment()]), lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(startedExecutions()).toHaveLength(1);
  });

  it('reports an invalid message alone and starts the workflows of the others', async () => {
    const first = aRequestPayment();
    const last = aRequestPayment({ payment: { method: 'bank_transfer' } });
    const invalid = { ...aRequestPayment(), data: { ...aRequestPayment().data, amount: -1 } };
    const event = sqsEvent([first, invalid, last]);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    expect(startedExecutions().map((input) => input.name)).toEqual([first.data.orderId, last.data.orderId]);
  });

  it('returns a message to the queue when Step Functions cannot start its workflow', async () => {
    stepFunctions.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: {},
      }),
    );
    const event = sqsEvent([aRequestPayment()]);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
  });
});
