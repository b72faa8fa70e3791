import { join } from 'node:path';
import { createUserPoolService, type UserPoolService } from '../cognito/user-pool-service.ts';
import type { LambdaInvoker } from '../contracts.ts';
import type { Emulators } from '../emulators/emulators.ts';
import { createEventBridgeService } from '../eventbridge/event-bridge-service.ts';
import { EventDeliveryFile } from '../eventbridge/event-delivery-journal.ts';
import type { FaultInjection } from '../faults/fault-injection.ts';
import { localSecret } from '../identity/local-identity.ts';
import { createLambdaRuntime, type LambdaRuntime } from '../lambda/lambda-runtime.ts';
import {
  createSecretsManagerService,
  type SecretsManagerService,
} from '../secretsmanager/secrets-manager-service.ts';
import { type SqsEventSource, startSqsEventSource } from '../sqs/event-source-mapping.ts';
import {
  createStepFunctionsService,
  type StepFunctionsService,
} from '../stepfunctions/stepfunctions-service.ts';
import { functionNameFromArn, type LocalModel } from '../template/local-model.ts';
import { dynamoDbClient, type EmulatorClients } from './local-resources.ts';
import { deliverToTarget } from './rule-targets.ts';
import { LOCAL_ACCOUNT_ID, type Startup } from './startup.ts';

/** What handlers get as AWS_ENDPOINT_URL_*: the local endpoint of every service. */
export type LocalEndpoints = Record<
  'dynamodb' | 'sqs' | 'kinesis' | 'eventbridge' | 'sfn' | 'cognito' | 'secretsmanager',
  string
>;

/** Stopped just before the emulators: functions and the page may still sign in or read a secret. */
export async function startIdentityServices(
  { persistDir, region, log, stoppers }: Startup,
  model: LocalModel,
) {
  const persisted = (folder: string) => (persistDir ? { persistDir: join(persistDir, folder) } : {});
  const userPools = await createUserPoolService({ userPools: model.userPools, log, ...persisted('cognito') });
  stoppers.add(() => userPools.stop());
  const secretsManager = await createSecretsManagerService({
    secrets: model.secrets.map(localSecret),
    log,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ...persisted('secretsmanager'),
  });
  stoppers.add(() => secretsManager.stop());
  return { userPools, secretsManager };
}

export interface ServiceInputs {
  model: LocalModel;
  emulators: Emulators;
  clients: EmulatorClients;
  faults: FaultInjection | undefined;
  /** Multiplies the workflows' Retry intervals. */
  retryIntervalScale?: number;
  /** Multiplies the timeouts of tasks that wait for a callback. */
  taskTimeoutScale?: number;
  userPools: UserPoolService;
  secretsManager: SecretsManagerService;
}

/**
 * EventBridge and Step Functions, then the functions, then their event sources. The first two
 * invoke functions, which are created after them (they need both endpoints): their invoker
 * forwards to the runtime once it exists.
 */
export async function startServices(startup: Startup, inputs: ServiceInputs) {
  const { stoppers } = startup;
  const { model, emulators, faults } = inputs;
  let runtime: LambdaRuntime | undefined;
  const invoker: LambdaInvoker = {
    invoke: (name, event) => {
      if (!runtime) throw new Error('The Lambda runtime is not started yet');
      return runtime.invoke(name, event);
    },
  };
  const { eventBridge, stepFunctions, undeliveredEvents } = await startWorkflowServices(
    startup,
    inputs,
    invoker,
  );
  const endpoints: LocalEndpoints = {
    dynamodb: faults?.dynamodbEndpoint ?? emulators.dynamodb.endpoint,
    sqs: emulators.sqs.endpoint,
    kinesis: emulators.kinesis.endpoint,
    eventbridge: eventBridge.endpoint,
    sfn: stepFunctions.endpoint,
    cognito: inputs.userPools.endpoint,
    secretsmanager: inputs.secretsManager.endpoint,
  };
  const lambda = createLambdaRuntime({
    functions: model.functions.map((fn) => ({
      name: fn.name,
      handlerFile: fn.handlerFile,
      handlerExport: fn.handlerExport,
      environment: fn.environment,
      timeoutSeconds: fn.timeoutSeconds,
      memoryMb: fn.memoryMb,
      ...(fn.reservedConcurrency ? { maxConcurrency: fn.reservedConcurrency } : {}),
    })),
    baseEnvironment: { ...functionEndpoints(startup.region, endpoints), ...faults?.environment },
    log: faults?.log ?? startup.log,
  });
  runtime = lambda;
  // Stopped after their event sources and Step Functions, which are added after it.
  stoppers.add(() => lambda.stop());
  const eventSources = startEventSources(startup, inputs, lambda);
  // Executions are aborted (and so resumable with --persist) first, while the functions their
  // tasks wait on still run: a task cut off by a stopping runtime failed, and the workflow would
  // catch the failure. Stopping again later is a no-op.
  stoppers.add(() => stepFunctions.stop());
  return { endpoints, eventBridge, stepFunctions, lambda, eventSources, undeliveredEvents };
}

/** What every function gets: the region, dummy credentials, and the local endpoint of each service. */
function functionEndpoints(region: string, endpoints: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.cognito,
    // CloudWatch has no local endpoint: metrics stay in the log as EMF lines at DEBUG.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

async function startWorkflowServices(startup: Startup, inputs: ServiceInputs, invoker: LambdaInvoker) {
  const { persistDir, region, log, stoppers } = startup;
  const { model, clients, faults } = inputs;
  const functionByArn = new Map(model.functions.map((fn) => [fn.arn, fn.name]));
  let stepFunctions: StepFunctionsService | undefined;
  const events = persistDir ? EventDeliveryFile.open(join(persistDir, 'eventbridge')) : undefined;
  const eventBridge = await createEventBridgeService({
    buses: model.buses,
    rules: model.rules.map(({ name, busName, pattern, targets }) => ({
      name,
      busName,
      pattern,
      targets: targets.map(({ id, arn, input, inputPath }) => ({
        id,
        arn,
        ...(input !== undefined ? { input } : {}),
        ...(inputPath !== undefined ? { inputPath } : {}),
      })),
    })),
    deliver: (target, payload, delivery) =>
      deliverToTarget(target, payload, delivery, { model, clients, invoker, functionByArn, stepFunctions }),
    log,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ...(events ? { journal: events.journal } : {}),
    archives: model.archives,
    ...(persistDir ? { persistDir: join(persistDir, 'eventbridge') } : {}),
  });
  stoppers.add(() => eventBridge.stop());

  const started = await createStepFunctionsService({
    stateMachines: model.stateMachines,
    invoker,
    functionNameFromArn: (arn) => functionNameFromArn(arn, functionByArn) ?? functionByArn.get(arn),
    clients: {
      dynamodb: faults ? dynamoDbClient(faults.dynamodbEndpoint, region) : clients.dynamodb,
      sqs: clients.sqs,
    },
    putEvents: (entries) =>
      eventBridge.putEvents(
        entries.map((entry) => ({ ...entry, Time: entry.Time ? new Date(entry.Time) : undefined })),
      ),
    log,
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ...(inputs.retryIntervalScale !== undefined ? { retryIntervalScale: inputs.retryIntervalScale } : {}),
    ...(inputs.taskTimeoutScale !== undefined ? { taskTimeoutScale: inputs.taskTimeoutScale } : {}),
    ...(persistDir ? { persistDir: join(persistDir, 'stepfunctions') } : {}),
  });
  stepFunctions = started;
  stoppers.add(() => started.stop());
  return { eventBridge, stepFunctions: started, undeliveredEvents: events?.undelivered ?? [] };
}

function startEventSources(
  { region, log, stoppers }: Startup,
  { model, clients, faults }: ServiceInputs,
  lambda: LambdaRuntime,
): Map<string, SqsEventSource> {
  const queueByArn = new Map(model.queues.map((queue) => [queue.arn, queue]));
  const eventSources = new Map<string, SqsEventSource>();
  for (const mapping of model.eventSourceMappings) {
    const queue = queueByArn.get(mapping.queueArn);
    if (!queue)
      throw new Error(`Event source ${mapping.queueArn} of ${mapping.functionName} is not a local queue`);
    const deliver = faults?.deliver(mapping.functionName);
    const source = startSqsEventSource({
      sqs: clients.sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      functionName: mapping.functionName,
      batchSize: mapping.batchSize,
      maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
      reportBatchItemFailures: mapping.reportBatchItemFailures,
      invoker: lambda,
      log,
      region,
      ...(mapping.maximumConcurrency ? { pollers: mapping.maximumConcurrency } : {}),
      ...(deliver ? { deliver } : {}),
    });
    eventSources.set(mapping.functionName, source);
  }
  stoppers.add(() => Promise.all([...eventSources.values()].map((source) => source.stop())));
  return eventSources;
}
