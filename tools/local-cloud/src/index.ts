/**
 * The local cloud engine's public API: run a synthesized CDK app's cloud assembly in this process
 * (`startLocalCloud`), with an application's plugins, faults, and its log printed. The command
 * line (`local-cloud`, cli.ts) is built on the same API. A plugin's browser module takes its
 * types from `@shop/local-cloud/page`.
 */
export type { DiagramIndex } from './activity/flow-diagram.ts';
export {
  LOCAL_ACCOUNT_ID,
  type LocalCloud,
  type LocalCloudOptions,
  type LocalCustomer,
  type LocalEndpoints,
  type LocalIdentity,
  type LocalSecrets,
  startLocalCloud,
  type UserPoolTarget,
} from './cloud.ts';
export {
  awsEnvironment,
  awsEnvironmentLines,
  cloudSummary,
  parseReadyLine,
  type ReadyLine,
  readyLine,
} from './command-line/banner.ts';
export { type CliOptions, runLocalCloudCli, type WatchSession } from './command-line/run-cli.ts';
export type { InvokeResult, LogEntry, LogSink } from './contracts.ts';
export { ENGINE_FAULTS } from './faults/engine-faults.ts';
export {
  describeFaults,
  type FaultDefinition,
  FaultPlan,
  type FaultRates,
  formatFaults,
  type PluginFault,
  parseFaults,
  seededRandom,
} from './faults/fault-plan.ts';
export type { LogFields, ServiceLog } from './kit/service-log.ts';
export { createLogPrinter } from './log-printer.ts';
export type {
  FlowSubject,
  LocalCloudPlugin,
  PageAnswer,
  PageDocument,
  PageEndpoint,
  PageStream,
  PluginPage,
  PluginPageContext,
  PluginPageServer,
} from './plugin.ts';
export type { LocalModel } from './template/local-model.ts';
export type { PageNotices } from './ui/page-notices.ts';
export type { PageNotice } from './ui/page-types.ts';
