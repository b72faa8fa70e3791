import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../contracts.ts';
import type { Delivery, RuleTarget } from '../eventbridge/event-bridge-service.ts';
import { compileInputPath } from '../eventbridge/input-path.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import { functionNameFromArn, type LocalModel } from '../template/local-model.ts';
import type { EmulatorClients } from './local-resources.ts';

/**
 * Where an EventBridge rule's target is, locally: a queue, a stream, a function or a state
 * machine of the templates, reached the way EventBridge would reach it.
 */
export async function deliverToTarget(
  target: RuleTarget,
  payload: unknown,
  delivery: Delivery,
  context: {
    model: LocalModel;
    clients: EmulatorClients;
    invoker: LambdaInvoker;
    functionByArn: Map<string, string>;
    stepFunctions: StepFunctionsService | undefined;
  },
): Promise<void> {
  const { model, clients } = context;
  const [, , service] = target.arn.split(':');
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  switch (service) {
    case 'sqs': {
      const queue = model.queues.find((candidate) => candidate.arn === target.arn);
      if (!queue) throw new Error(`Rule ${delivery.rule}: no local queue ${target.arn}`);
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      return;
    }
    case 'kinesis': {
      const stream = model.streams.find((candidate) => candidate.arn === target.arn);
      if (!stream) throw new Error(`Rule ${delivery.rule}: no local stream ${target.arn}`);
      const rule = [...model.rules, ...model.schedules].find((candidate) => candidate.name === delivery.rule);
      const keyPath = rule?.targets.find((candidate) => candidate.id === target.id)?.kinesisPartitionKeyPath;
      const selected = keyPath ? compileInputPath(keyPath)(delivery.event) : { found: false as const };
      const partitionKey =
        selected.found && selected.value !== undefined ? String(selected.value) : delivery.event.id;
      await clients.kinesis.send(
        new PutRecordCommand({
          StreamName: stream.name,
          Data: Buffer.from(body),
          PartitionKey: partitionKey,
        }),
      );
      return;
    }
    case 'lambda': {
      const name = functionNameFromArn(target.arn, context.functionByArn);
      if (!name) throw new Error(`Rule ${delivery.rule}: no local function ${target.arn}`);
      const result = await context.invoker.invoke(name, payload);
      if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
      return;
    }
    case 'states': {
      if (!context.stepFunctions) throw new Error('Step Functions is not started yet');
      await context.stepFunctions.startExecution(target.arn, undefined, payload);
      return;
    }
    default:
      throw new Error(`Rule ${delivery.rule}: targets of type ${service} are not emulated (${target.arn})`);
  }
}
