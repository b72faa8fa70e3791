import type { SQSRecord } from 'aws-lambda';
import type { InvokeResult, LogSink } from '../contracts.ts';
import { deliverWithFaults } from './delivery-faults.ts';
import { startDynamoDbThrottleProxy } from './dynamodb-throttle-proxy.ts';
import type { FaultPlan } from './fault-plan.ts';

/**
 * The faults of a plan, wired into a starting local cloud: what cloud.ts asks of it, and nothing
 * more. Every fault that fires is logged (WARN, source `faults`), and counted by the plan.
 */
export interface FaultInjection {
  /** Where handlers and the workflow's DynamoDB steps send DynamoDB calls. */
  dynamodbEndpoint: string;
  /** Added to every function's environment (the payment functions read TEST_PROVIDER_FAULTS). */
  environment: Record<string, string>;
  /** How an event source mapping hands a batch to its function, or undefined for the plain way. */
  deliver(
    functionName: string,
  ):
    | ((
        records: SQSRecord[],
        invoke: (records: SQSRecord[]) => Promise<InvokeResult>,
      ) => Promise<InvokeResult>)
    | undefined;
  /** Passes the cloud's log through, counting the faults the functions report in theirs. */
  log: LogSink;
  stop(): Promise<void>;
}

/** The test provider's delay for a slow answer, and how long before a call counts as timed out. */
const PROVIDER_LATENCY_MS = 300;
const PROVIDER_TIMEOUT_MS = 1_000;

export async function startFaultInjection(
  plan: FaultPlan,
  options: { dynamodbEndpoint: string; log: LogSink },
): Promise<FaultInjection> {
  const unsubscribe = plan.onFired(({ fault, detail }) => {
    // The provider's faults are logged by the function that injects them.
    if (fault === 'provider-latency') return;
    options.log({
      source: 'faults',
      level: 'WARN',
      message: `Injected fault ${fault}: ${detail}`,
      fields: { fault },
      time: new Date().toISOString(),
    });
  });
  const proxy = plan.isOn('dynamodb-throttle')
    ? await startDynamoDbThrottleProxy(options.dynamodbEndpoint, plan)
    : undefined;
  const deliveryFaults = plan.isOn('sqs-duplicate') || plan.isOn('handler-crash');
  return {
    dynamodbEndpoint: proxy?.endpoint ?? options.dynamodbEndpoint,
    environment: plan.isOn('provider-latency')
      ? {
          TEST_PROVIDER_FAULTS: JSON.stringify({
            rate: plan.rates['provider-latency'],
            seed: plan.seed,
            latencyMs: PROVIDER_LATENCY_MS,
            timeoutMs: PROVIDER_TIMEOUT_MS,
          }),
        }
      : {},
    deliver: (functionName) => (deliveryFaults ? deliverWithFaults(plan, functionName) : undefined),
    log(entry) {
      if (entry.fields?.fault === 'provider-latency') plan.record('provider-latency', entry.message);
      options.log(entry);
    },
    async stop() {
      unsubscribe();
      await proxy?.stop();
    },
  };
}
