import type { SQSRecord } from 'aws-lambda';
import type { InvokeResult } from '../contracts.ts';
import type { FaultPlan } from './fault-plan.ts';

/**
 * How an SQS event source mapping hands a batch to its function, with the delivery faults of the
 * plan: SQS's at-least-once delivery (a message delivered again, in a separate invocation running at
 * the same time, as a second receive would) and a function that dies mid-batch (the first records
 * were handled, then the invocation fails, so the whole batch returns to the queue).
 */
export type BatchInvoke = (records: SQSRecord[]) => Promise<InvokeResult>;

export function deliverWithFaults(
  faults: FaultPlan,
  functionName: string,
): (records: SQSRecord[], invoke: BatchInvoke) => Promise<InvokeResult> {
  return async (records, invoke) => {
    const duplicates = records.filter((record) =>
      faults.fires('sqs-duplicate', `${functionName}: message ${record.messageId} delivered twice`),
    );
    const again = duplicates.length > 0 ? invoke(duplicates) : undefined;
    let result: InvokeResult;
    if (faults.fires('handler-crash', `${functionName}: died mid-batch of ${records.length}`)) {
      // At least one record is handled before the crash: the one a redelivery then repeats.
      const handled = records.slice(0, Math.max(1, Math.floor(records.length / 2)));
      await invoke(handled);
      result = {
        ok: false,
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `Injected fault handler-crash: the function died after ${handled.length} of ${records.length} records`,
        },
      };
    } else {
      result = await invoke(records);
    }
    // The duplicate's outcome does not matter to this batch: its message is acknowledged (or not) here.
    await again;
    return result;
  };
}
