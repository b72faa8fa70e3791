import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * What docs/runbook.md says about a resource's alarms, kept beside the resource: the template's
 * Metadata of the function or dead-letter queue holds it under this key, and
 * tools/docs-checks/src/runbook-tables.ts writes the runbook's alarm tables from it, so a new
 * function or queue gets its rows without a hand edit.
 */
export const RUNBOOK_METADATA = 'Runbook';

/** A function's entry: every function has one (ServiceFunctionProps requires both). */
export interface FunctionRunbook {
  /** What invokes it: `POST /orders`, `the order-events queue`, `the payment workflow's Authorize state`. */
  readonly invokedBy: string;
  /** What a failure means for the customer or the system, and where a failed message or step goes. */
  readonly failureMeans: string;
}

/** A dead-letter queue's entry. */
export interface DeadLetterQueueRunbook {
  /** What waits in it: which messages, and what their being stuck means for the orders. */
  readonly holds: string;
  /**
   * The physical name of the function that consumes its source queue, whose logs explain the
   * failures. Absent for the DLQ of an EventBridge target, which no function consumes.
   */
  readonly consumer?: string;
}

/** Writes `runbook` into the Metadata of `construct`'s CloudFormation resource. */
export function recordRunbook(
  construct: IConstruct,
  runbook: FunctionRunbook | DeadLetterQueueRunbook,
): void {
  const resource = construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path}: no CloudFormation resource to record the runbook entry on`);
  }
  resource.addMetadata(RUNBOOK_METADATA, runbook);
}
