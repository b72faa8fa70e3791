import { createActivityFeed } from './activity/activity-feed.ts';
import { buildFlowDiagram } from './activity/flow-diagram.ts';
import { createHttpApi, type HttpApi } from './apigateway/http-api.ts';
import type { UserPoolService } from './cognito/user-pool-service.ts';
import type { LogSink } from './contracts.ts';
import { type Emulators, startEmulators } from './emulators/emulators.ts';
import type { EventBridgeService } from './eventbridge/event-bridge-service.ts';
import { startFaultInjection } from './faults/fault-injection.ts';
import type { FaultPlan } from './faults/fault-plan.ts';
import {
  type LocalIdentity,
  type LocalSecrets,
  localIdentity,
  localSecrets,
} from './identity/local-identity.ts';
import { serviceLog } from './kit/service-log.ts';
import type { LambdaRuntime } from './lambda/lambda-runtime.ts';
import type { LocalCloudPlugin } from './plugin.ts';
import type { SecretsManagerService } from './secretsmanager/secrets-manager-service.ts';
import type { SqsEventSource } from './sqs/event-source-mapping.ts';
import { pointParametersAtLocalApi } from './ssm/ssm-service.ts';
import { createEmulatorClients, createResources, type EmulatorClients } from './startup/local-resources.ts';
import { type LocalEndpoints, startIdentityServices, startServices } from './startup/services.ts';
import { LOCAL_ACCOUNT_ID, type Startup, Stoppers } from './startup/startup.ts';
import type { StepFunctionsService } from './stepfunctions/stepfunctions-service.ts';
import { readAssemblyStacks } from './template/cloud-assembly.ts';
import { readIamModel } from './template/iam-model.ts';
import { buildLocalModel, type LocalModel } from './template/local-model.ts';
import { createFlowPage, type FlowPage } from './ui/flow-page.ts';
import type { PageNotices } from './ui/page-notices.ts';

export type {
  LocalCustomer,
  LocalIdentity,
  LocalSecrets,
  UserPoolTarget,
} from './identity/local-identity.ts';
export type { LocalEndpoints } from './startup/services.ts';
export { LOCAL_ACCOUNT_ID } from './startup/startup.ts';

export interface LocalCloudOptions {
  /** A cloud assembly folder holding the stage's stacks (what `cdk synth` writes, e.g. `cdk.out`). */
  assemblyDir: string;
  log: LogSink;
  /** The HTTP API's port: 3000 by default, 0 for any free one. */
  port?: number;
  /** Default: the region the stacks are synthesized for. */
  region?: string;
  /**
   * Keeps the state of the local cloud in this folder across restarts, a killed process included:
   * tables, queued messages, the stream, and Step Functions executions (resumed where they were).
   */
  persistDir?: string;
  /** What the application adds: its faults, the subject its flow page follows, its panels. */
  plugins?: readonly LocalCloudPlugin[];
  /** Fault injection, off when absent: the engine's faults and the plugins' (see src/faults). */
  faults?: FaultPlan;
  /**
   * Multiplies the workflows' Retry intervals (0.01 turns a 1 s wait into 10 ms). Retry counts and
   * backoff shape are never changed. Default 1: the intervals of the template.
   */
  retryIntervalScale?: number;
  /** Multiplies the timeouts of tasks that wait for a callback. Default 1. */
  taskTimeoutScale?: number;
  /**
   * Caps every queue's visibility timeout, so a failed message comes back (and reaches its DLQ after
   * maxReceiveCount) in seconds rather than minutes. Receive counts are never changed. Default: the
   * template's timeouts.
   */
  maxVisibilityTimeoutSeconds?: number;
  /**
   * Checks every call a function makes (and a workflow's tasks make) against its role's policies in
   * the templates, refused with the service's AccessDenied as on AWS. Default true; false turns it
   * off (`--no-iam`). Calls signed with any other key (the tests', an AWS CLI's) are not checked.
   */
  iam?: boolean;
}

export interface LocalCloud {
  /** The HTTP API, e.g. `http://127.0.0.1:3000`; the flow page is at its `/`. */
  url: string;
  /** The region the cloud runs in: its ARNs name it. */
  region: string;
  /**
   * The local endpoint of every service, as AWS_ENDPOINT_URL_* names them: what handlers get, but
   * Lambda's (the event source mappings' API), which only outside clients reach.
   */
  endpoints: LocalEndpoints;
  /** The templates' user pools, where the API's customers sign in. */
  identity: LocalIdentity;
  /** The templates' secrets and their current values. */
  secrets: LocalSecrets;
  userPools: UserPoolService;
  secretsManager: SecretsManagerService;
  model: LocalModel;
  lambda: LambdaRuntime;
  eventBridge: EventBridgeService;
  stepFunctions: StepFunctionsService;
  api: HttpApi;
  /** The SQS event source mappings, by function name; a paused one is there too (`state`). */
  eventSources: Map<string, SqsEventSource>;
  /** Whether the functions' and workflows' calls are checked against their roles (see `iam`). */
  iamEnforced: boolean;
  /** What the flow page shows at its top until cleared, e.g. a function whose new code did not build. */
  notices: PageNotices;
  stop(): Promise<void>;
}

const SOURCE = 'local-cloud';
const PLUGIN_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Runs a synthesized CDK app locally: every resource and connection comes from its templates.
 * Emulators first, then the resources in them, then the services that call each other (Step
 * Functions and EventBridge call functions; functions call them back through their endpoints),
 * then the event source mappings, the HTTP API and the flow page; the schedules last, once
 * everything they may run is up.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const plugins = checkedPlugins(options.plugins ?? []);
  const stacks = readAssemblyStacks(options.assemblyDir);
  // The templates carry their region in ARNs they spell out: run in the same one.
  const region = options.region ?? stacks.find((stack) => stack.region)?.region ?? 'us-east-1';
  // Every log entry also feeds the flow page's per-subject log panel.
  const activity = createActivityFeed(plugins.flatMap((plugin) => plugin.subject?.pattern ?? []));
  const startup: Startup = {
    region,
    log: activity.logSink(options.log),
    stoppers: new Stoppers(),
    ...(options.persistDir ? { persistDir: options.persistDir } : {}),
  };
  const { log, stoppers } = startup;
  try {
    const emulators = await startEmulators({
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ...(options.persistDir ? { persistDir: options.persistDir } : {}),
    });
    stoppers.add(() => emulators.stop());
    const faults = options.faults && (await startFaults(startup, options.faults, plugins, emulators));
    const model = buildModel(startup, stacks, emulators, options.maxVisibilityTimeoutSeconds);
    const clients = createEmulatorClients(emulators, region);
    const { userPools, secretsManager, ssm } = await startIdentityServices(startup, model);
    await createResources(model, clients);
    const iamEnforced = options.iam !== false;
    const services = await startServices(startup, {
      model,
      emulators,
      clients,
      faults,
      userPools,
      secretsManager,
      ssm,
      ...(iamEnforced
        ? {
            iam: readIamModel(stacks, {
              region,
              accountId: LOCAL_ACCOUNT_ID,
              sqsEndpoint: emulators.sqs.endpoint,
              ssmParameters: model.ssmParameters,
            }),
          }
        : {}),
      ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
      ...(options.taskTimeoutScale !== undefined ? { taskTimeoutScale: options.taskTimeoutScale } : {}),
    });
    // Clients are pointed where the functions are: through the IAM gateways when IAM is on.
    const { endpoints } = services;
    const identity = localIdentity(model, { ...userPools, endpoint: endpoints.cognito }, region);
    const secrets = localSecrets(model, { ...secretsManager, endpoint: endpoints.secretsmanager });
    const { undeliveredEvents, ...running } = services;
    const { api, notices } = await startApiAndPage(startup, {
      port: options.port ?? 3000,
      model,
      clients,
      userPools,
      running,
      identity,
      secrets,
      plugins,
      activity,
    });

    pointParametersAtLocalApi(model.ssmParameters, api.url);
    const resumed = services.stepFunctions.resumeInterrupted();
    const cloudLog = serviceLog(log, SOURCE);
    if (resumed > 0) cloudLog.info(`Resumed ${resumed} workflow execution(s) a restart had interrupted`);
    if (undeliveredEvents.length > 0) {
      cloudLog.info(
        `Delivering ${undeliveredEvents.length} event(s) accepted before a restart but not delivered`,
      );
      services.eventBridge.redeliver(undeliveredEvents);
    }
    services.eventBridge.schedules.start();
    cloudLog.info('Local cloud running', {
      functions: model.functions.length,
      queues: model.queues.length,
      tables: model.tables.length,
      stateMachines: model.stateMachines.length,
      routes: model.routes.length,
      schedules: model.schedules.length,
      userPools: model.userPools.length,
      secrets: model.secrets.length,
    });
    return {
      url: api.url,
      region,
      identity,
      secrets,
      userPools,
      secretsManager,
      model,
      api,
      ...running,
      iamEnforced,
      notices,
      stop: () => stoppers.stopAll(),
    };
  } catch (error) {
    await stoppers.stopAll();
    throw error;
  }
}

function checkedPlugins(plugins: readonly LocalCloudPlugin[]): readonly LocalCloudPlugin[] {
  const names = new Set<string>();
  for (const plugin of plugins) {
    if (!PLUGIN_NAME.test(plugin.name))
      throw new Error(`A plugin's name is kebab-case (it is in the page's URLs): "${plugin.name}"`);
    if (names.has(plugin.name)) throw new Error(`Two plugins are named ${plugin.name}`);
    names.add(plugin.name);
  }
  return plugins;
}

async function startFaults(
  { log, stoppers }: Startup,
  plan: FaultPlan,
  plugins: readonly LocalCloudPlugin[],
  emulators: Emulators,
) {
  const injection = await startFaultInjection(plan, {
    dynamodbEndpoint: emulators.dynamodb.endpoint,
    log,
    pluginFaults: plugins.flatMap((plugin) => plugin.faults ?? []),
  });
  stoppers.add(() => injection.stop());
  return injection;
}

function buildModel(
  { region, log }: Startup,
  stacks: ReturnType<typeof readAssemblyStacks>,
  emulators: Emulators,
  maxVisibilityTimeoutSeconds: number | undefined,
): LocalModel {
  const model = buildLocalModel(stacks, {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    sqsEndpoint: emulators.sqs.endpoint,
  });
  const cloudLog = serviceLog(log, SOURCE);
  for (const note of model.notes) cloudLog.debug(`Not emulated: ${note}`);
  if (maxVisibilityTimeoutSeconds !== undefined) {
    for (const queue of model.queues) {
      const current = Number(queue.attributes.VisibilityTimeout ?? 30);
      queue.attributes.VisibilityTimeout = String(Math.min(current, maxVisibilityTimeoutSeconds));
    }
  }
  return model;
}

/** The HTTP API, and the flow page on the requests none of its routes takes. */
async function startApiAndPage(
  { log, stoppers }: Startup,
  parts: {
    port: number;
    model: LocalModel;
    clients: EmulatorClients;
    userPools: UserPoolService;
    running: Omit<Awaited<ReturnType<typeof startServices>>, 'undeliveredEvents'>;
    identity: LocalIdentity;
    secrets: LocalSecrets;
    plugins: readonly LocalCloudPlugin[];
    activity: ReturnType<typeof createActivityFeed>;
  },
): Promise<{ api: HttpApi; notices: PageNotices }> {
  const { model, running, activity } = parts;
  let flowPage: FlowPage | undefined;
  const api = await createHttpApi({
    routes: model.routes,
    invoker: running.lambda,
    log,
    host: '127.0.0.1',
    port: parts.port,
    // What no API route takes (`/` and its assets) is the flow page's.
    fallback: (request, response) => flowPage?.handle(request, response) ?? false,
    jwtKeys: (issuer) => parts.userPools.jwks(issuer),
  });
  stoppers.add(() => api.stop());
  const index = buildFlowDiagram(model);
  activity.attach({ index, api, ...running });
  const page = await createFlowPage({
    model,
    index,
    feed: activity,
    stepFunctions: running.stepFunctions,
    schedules: running.eventBridge.schedules,
    clients: parts.clients,
    log,
    apiUrl: api.url,
    identity: parts.identity,
    secrets: parts.secrets,
    plugins: parts.plugins,
  });
  flowPage = page;
  stoppers.add(async () => {
    page.stop();
    activity.stop();
  });
  return { api, notices: page.notices };
}
