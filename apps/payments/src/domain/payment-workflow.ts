import type { CommandOf } from '@shop/shared/commands';

/** The PaymentWorkflow's input: the RequestPayment command's data and its correlation id. */
export type PaymentWorkflowInput = CommandOf<'RequestPayment'>['data'] & { correlationId: string };

/** Starts the one payment workflow of an order. */
export interface PaymentWorkflow {
  /** `already-started` when the order's workflow exists: a repeated request, not a second payment. */
  start(input: PaymentWorkflowInput): Promise<'started' | 'already-started'>;
}

/**
 * Answers a workflow step that waits for a callback (a task token). `not-waiting` when the step is
 * over (it timed out, was answered already, or its execution stopped): nothing needs the answer.
 */
export interface TaskCallbacks {
  succeed(taskToken: string, output: Record<string, unknown>): Promise<'delivered' | 'not-waiting'>;
  fail(taskToken: string, failure: { error: string; cause: string }): Promise<'delivered' | 'not-waiting'>;
}
