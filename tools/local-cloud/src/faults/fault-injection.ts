import type { SQSRecord } from 'aws-lambda';
import type { InvokeResult, LogEntry, LogSink } from '../contracts.ts';
import { serviceLog } from '../kit/service-log.ts';
import { deliverWithFaults } from './delivery-faults.ts';
import { startDynamoDbThrottleProxy } from './dynamodb-throttle-proxy.ts';
import { ENGINE_FAULTS } from './engine-faults.ts';
import type { FaultPlan, PluginFault } from './fault-plan.ts';

/**
 * The faults of a plan, wired into a starting local cloud: what cloud.ts asks of it, and nothing
 * more. A fault the engine fires is logged (WARN, source `faults`); a plugin's fault is injected by
 * the application's own code, told by the environment, which logs it; both are counted by the plan.
 */
export interface FaultInjection {
  /** Where handlers and the workflow's DynamoDB steps send DynamoDB calls. */
  dynamodbEndpoint: string;
  /** Added to every function's environment: the plugins' faults that are on. */
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

export async function startFaultInjection(
  plan: FaultPlan,
  options: { dynamodbEndpoint: string; log: LogSink; pluginFaults: readonly PluginFault[] },
): Promise<FaultInjection> {
  const known = [...ENGINE_FAULTS, ...options.pluginFaults].map((fault) => fault.name);
  for (const name of Object.keys(plan.rates)) {
    if (!known.includes(name)) {
      throw new Error(`Unknown fault "${name}": this local cloud injects ${known.join(', ')}`);
    }
  }
  const faultsLog = serviceLog(options.log, 'faults');
  const reported = options.pluginFaults.filter((fault) => plan.isOn(fault.name));
  const unsubscribe = plan.onFired(({ fault, detail }) => {
    // A plugin's faults are logged by the function that injects them.
    if (reported.some((each) => each.name === fault)) return;
    faultsLog.warn(`Injected fault ${fault}: ${detail}`, { fault });
  });
  const proxy = plan.isOn('dynamodb-throttle')
    ? await startDynamoDbThrottleProxy(options.dynamodbEndpoint, plan)
    : undefined;
  const deliveryFaults = plan.isOn('sqs-duplicate') || plan.isOn('handler-crash');
  const firedIn = (fault: PluginFault, entry: LogEntry) =>
    fault.firedIn ? fault.firedIn(entry) : entry.fields?.fault === fault.name;
  return {
    dynamodbEndpoint: proxy?.endpoint ?? options.dynamodbEndpoint,
    environment: Object.assign(
      {},
      ...reported.map((fault) => fault.environment({ rate: plan.rates[fault.name] ?? 0, seed: plan.seed })),
    ),
    deliver: (functionName) => (deliveryFaults ? deliverWithFaults(plan, functionName) : undefined),
    log(entry) {
      for (const fault of reported) if (firedIn(fault, entry)) plan.record(fault.name, entry.message);
      options.log(entry);
    },
    async stop() {
      unsubscribe();
      await proxy?.stop();
    },
  };
}
