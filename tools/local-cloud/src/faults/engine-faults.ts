import type { FaultDefinition } from './fault-plan.ts';

/**
 * The faults the engine injects itself, into any stack: the failures SQS, Lambda and DynamoDB
 * hand every application. An application's own faults come from its plugin.
 */
export const ENGINE_FAULTS: readonly FaultDefinition[] = [
  {
    name: 'sqs-duplicate',
    description: 'an SQS event source delivers a message twice, in separate invocations',
    defaultRate: 0.1,
  },
  {
    name: 'handler-crash',
    description: 'a function dies mid-batch: some records were handled, none is acknowledged',
    defaultRate: 0.05,
  },
  {
    name: 'dynamodb-throttle',
    description: 'DynamoDB answers ProvisionedThroughputExceededException, as on the wire',
    defaultRate: 0.05,
  },
];
