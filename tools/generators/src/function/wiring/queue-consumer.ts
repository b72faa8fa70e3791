import type { Tree } from '@nx/devkit';
import { addNamedImport, readSource } from '../../source-edits.ts';
import type { FunctionPlan } from '../plan.ts';
import { addBenchScenario, addParameter, addToServiceStack, serviceStack } from './stack-edits.ts';

type ConsumerPlan = Extract<FunctionPlan, { trigger: 'event' | 'sqs' }>;

/**
 * A queue with its DLQ and alarm, the function consuming it with partial batch responses, and, by
 * trigger: the rule that feeds it the contract's event from the bus (event), or the parameters the
 * command's sender finds the queue by (sqs).
 */
export function wireQueueConsumer(tree: Tree, plan: ConsumerPlan): void {
  const stack = serviceStack(plan.service);
  const isEvent = plan.trigger === 'event';
  const contract = isEvent ? `EVENTS.${plan.message}` : `COMMANDS.${plan.message}`;
  const kind = isEvent ? 'events' : 'commands';
  const queueName = isEvent ? `'${plan.queue}'` : `${contract}.queue`;
  if (readSource(tree, stack).includes(`name: ${queueName},`)) {
    throw new Error(`${stack} already has the queue ${plan.queue}: one consumer per queue.`);
  }
  addNamedImport(tree, stack, isEvent ? 'EVENTS' : 'COMMANDS', `@shop/contracts/${kind}`);
  addNamedImport(tree, stack, 'Duration', 'aws-cdk-lib');
  const queue = `${plan.useCase}Queue`;
  const lines = [
    `    const ${queue} = this.addQueue('${plan.typeName}Queue', {
      name: ${queueName},
      consumerTimeout: Duration.seconds(30),
      holds: \`\\\`\${${contract}.type}\\\` ${kind} for ${plan.name}\`,
    });`,
    isEvent ? `    this.subscribe('${plan.typeName}Rule', ${queue}, [${contract}]);` : '',
    `    this.addFunction('${plan.typeName}Function', {
      handler: '${plan.name}',
      description: ${JSON.stringify(plan.description)},
      invokedBy: \`the \${${queue}.name} queue: \\\`\${${contract}.type}\\\`${isEvent ? ' from the bus' : ''}\`,
      failureMeans: \`\\\`\${${contract}.type}\\\` ${kind} wait for ${plan.name}, then go to the DLQ\`,
      timeout: Duration.seconds(30),
      reservedConcurrency: this.stage.reservedConcurrency,
    }).consume(${queue}, { batchSize: 10 });`,
  ];
  if (!isEvent) {
    // As payment-requests: the sender's stack finds the queue through these.
    const parameter = `${plan.useCase}Queue`;
    addParameter(tree, `${parameter}Url`, `ref('${plan.service}', '${plan.queue}-queue', 'url')`);
    addParameter(tree, `${parameter}Arn`, `ref('${plan.service}', '${plan.queue}-queue', 'arn')`);
    addNamedImport(tree, stack, 'PARAMETERS', '../parameters.ts');
    addNamedImport(tree, stack, 'publishParameter', '../parameters.ts');
    lines.push(
      `    publishParameter(this, this.stage, PARAMETERS.${parameter}Url, ${queue}.queue.queueUrl);`,
      `    publishParameter(this, this.stage, PARAMETERS.${parameter}Arn, ${queue}.queue.queueArn);`,
    );
  }
  addToServiceStack(tree, plan.service, `${lines.filter(Boolean).join('\n')}\n`);

  const message = isEvent
    ? `busEvent(createEvent(${contract}, ${contract}.example, { correlationId: newId('cor') }), ${contract}.source)`
    : `createCommand(${contract}, ${contract}.example, { correlationId: newId('cor') })`;
  addBenchScenario(
    tree,
    plan.name,
    `{ event: async () => sqsEvent([${message}]), problem: noFailedRecords }`,
  );
}
