/**
 * The seams between the parts of the local cloud. Each part (Lambda runtime, event source mappings,
 * Step Functions, EventBridge, API Gateway) depends on these interfaces only, so it can be built and
 * tested alone, and the wiring in cloud.ts connects them from the synthesized template. The log, service
 * and invoker seams live with the services the services' tests run too (@shop/local-services).
 */
export type {
  InvokeResult,
  LambdaInvoker,
  LocalService,
  LogEntry,
  LogSink,
} from '@shop/local-services/contracts';
