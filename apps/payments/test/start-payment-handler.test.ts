import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { localEndpoints } from '@shop/testing/endpoints';
import { lambdaContext, sqsEvent } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { createTestWorkflow } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import { aRequestPayment } from './builders.ts';

// The payment workflow is a state machine of this file's own on the test Step Functions: its
// executions wait for a callback, so they stay RUNNING until a test answers them.
const workflow = await createTestWorkflow({ envVar: 'PAYMENT_WORKFLOW_ARN' });
const stepFunctions = new SFNClient(awsClientConfig('sfn'));
const { handler } = await import('../src/handlers/start-payment.ts');
// The same handler where Step Functions cannot be reached: the endpoint drops every connection.
const withStepFunctionsDown = await importIsolated(
  { AWS_ENDPOINT_URL_SFN: localEndpoints().refusing },
  async () => (await import('../src/handlers/start-payment.ts')).handler,
);

/** The workflow's executions named after these orders (the tests share one state machine), oldest first. */
const executionsOf = async (...orderIds: string[]) =>
  (await workflow.executions())
    .filter((execution) => orderIds.includes(execution.name))
    .map(({ name, input }) => ({ name, input }));

describe('start-payment', () => {
  it('starts one workflow execution named by the order, with the command data and correlation id', async () => {
    const command = aRequestPayment();
    const result = await handler(sqsEvent([command]), lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await executionsOf(command.data.orderId)).toEqual([
      { name: command.data.orderId, input: { ...command.data, correlationId: command.correlationId } },
    ]);
  });

  it('acknowledges a duplicate delivery whose execution already exists', async () => {
    const command = aRequestPayment();
    const input = { ...command.data, correlationId: command.correlationId };
    // A first delivery started the execution, which has ended since: Step Functions refuses its name.
    const first = await workflow.start(command.data.orderId, input);
    await stepFunctions.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{}' }));
    await workflow.ended(first.executionArn);
    const again = new StartExecutionCommand({
      stateMachineArn: workflow.stateMachineArn,
      name: command.data.orderId,
      input: JSON.stringify(input),
    });
    await expect(stepFunctions.send(again)).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    const result = await handler(sqsEvent([command]), lambdaContext());
    expect(result.batchItemFailures).toEqual([]);
    expect(await executionsOf(command.data.orderId)).toHaveLength(1);
  });

  it('reports an invalid message alone and starts the workflows of the others', async () => {
    const first = aRequestPayment();
    const last = aRequestPayment({ payment: { method: 'bank_transfer' } });
    const invalid = { ...aRequestPayment(), data: { ...aRequestPayment().data, amount: -1 } };
    const event = sqsEvent([first, invalid, last]);
    const result = await handler(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]?.messageId }]);
    const started = await executionsOf(first.data.orderId, invalid.data.orderId, last.data.orderId);
    expect(started.map((execution) => execution.name)).toEqual([first.data.orderId, last.data.orderId]);
  });

  it('returns a message to the queue when Step Functions cannot start its workflow', async () => {
    const command = aRequestPayment();
    const event = sqsEvent([command]);
    const result = await withStepFunctionsDown(event, lambdaContext());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(await executionsOf(command.data.orderId)).toEqual([]);
  });
});
