/**
 * The seams between the parts of the local cloud. Each part (Lambda runtime, event source mappings,
 * Step Functions, EventBridge, API Gateway) depends on these interfaces only, so it can be built and
 * tested alone, and the wiring in cloud.ts connects them from the synthesized template. The log and
 * service seams live with the services the services' tests run too (@shop/local-services).
 */
export type { LocalService, LogEntry, LogSink } from '@shop/local-services/contracts';

/** What a Lambda invocation returns, the way Lambda reports it to its caller. */
export type InvokeResult =
  | { ok: true; payload: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] } };

/** Invokes a local function by its name (the template's logical id, e.g. `PlaceOrderFunction`). */
export interface LambdaInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeResult>;
}
