import { join } from 'node:path';
import { createUserPoolService, type UserPoolService } from '../cognito/user-pool-service.ts';
import type { LambdaInvoker, LocalService } from '../contracts.ts';
import type { Emulators } from '../emulators/emulators.ts';
import type { LocalFauxqs } from '../emulators/local-fauxqs.ts';
import { createEventBridgeService, type RuleTarget } from '../eventbridge/event-bridge-service.ts';
import { EventDeliveryFile } from '../eventbridge/event-delivery-journal.ts';
import type { FaultInjection } from '../faults/fault-injection.ts';
import { deniedAnswer, functionCallOf, startIamGateway } from '../iam/iam-gateway.ts';
import { createLocalIam, type LocalIam } from '../iam/local-iam.ts';
import type { IamService, ResourceNames } from '../iam/requested-access.ts';
import { localSecret } from '../identity/local-identity.ts';
import { createLambdaRuntime, type LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { createEventSourceMappingApi, type RunningMapping } from '../lambda-api/event-source-mapping-api.ts';
import {
  createSecretsManagerService,
  type SecretsManagerService,
} from '../secretsmanager/secrets-manager-service.ts';
import { type SqsEventSource, startSqsEventSource } from '../sqs/event-source-mapping.ts';
import { createSsmService } from '../ssm/ssm-service.ts';
import {
  createStepFunctionsService,
  type StepFunctionsService,
  type TaskCall,
} from '../stepfunctions/stepfunctions-service.ts';
import type { IamModel } from '../template/iam-model.ts';
import { functionNameFromArn, type LocalModel, type RuleTargetModel } from '../template/local-model.ts';
import { dynamoDbClient, type EmulatorClients } from './local-resources.ts';
import { deliverToTarget } from './rule-targets.ts';
import { LOCAL_ACCOUNT_ID, type Startup } from './startup.ts';

/**
 * The local endpoint of every service, as AWS_ENDPOINT_URL_* names them. Functions get all but
 * Lambda's: its REST calls would pass the IAM gateways unchecked, so a function's Lambda call gets
 * the endpoint that refuses.
 */
export type LocalEndpoints = FunctionEndpoints & { lambda: string };

/** What handlers get as AWS_ENDPOINT_URL_*. */
type FunctionEndpoints = Record<
  'dynamodb' | 'sqs' | 'kinesis' | 'eventbridge' | 'sfn' | 'cognito' | 'secretsmanager' | 'ssm',
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
  const ssm = await createSsmService({
    parameters: model.ssmParameters,
    log,
    region,
    accountId: LOCAL_ACCOUNT_ID,
  });
  stoppers.add(() => ssm.stop());
  return { userPools, secretsManager, ssm };
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
  /** The template's SSM parameters (a LocalService: read-only, nothing else to reach). */
  ssm: LocalService;
  /** The templates' roles: with them, every call a function or a workflow makes is checked (src/iam). */
  iam?: IamModel;
}

/** The service each gated endpoint serves, as IAM's action prefixes name it. */
const IAM_SERVICES: Record<Exclude<keyof FunctionEndpoints, 'sqs'>, Exclude<IamService, 'lambda'>> = {
  dynamodb: 'dynamodb',
  kinesis: 'kinesis',
  eventbridge: 'events',
  sfn: 'states',
  cognito: 'cognito-idp',
  secretsmanager: 'secretsmanager',
  ssm: 'ssm',
};

/**
 * EventBridge and Step Functions, then the functions, then their event sources. The first two
 * invoke functions, which are created after them (they need both endpoints): their invoker
 * forwards to the runtime once it exists. With the templates' roles (`iam`), the functions are
 * given an IAM gateway in front of each endpoint and credentials of their own.
 */
export async function startServices(startup: Startup, inputs: ServiceInputs) {
  const { stoppers } = startup;
  const { model, emulators, faults } = inputs;
  let stepFunctionsService: StepFunctionsService | undefined;
  const iam = inputs.iam && startIam(startup, inputs, inputs.iam, () => stepFunctionsService);
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
    iam,
  );
  stepFunctionsService = stepFunctions;
  const serviceEndpoints: FunctionEndpoints = {
    dynamodb: faults?.dynamodbEndpoint ?? emulators.dynamodb.endpoint,
    sqs: emulators.sqs.endpoint,
    kinesis: emulators.kinesis.endpoint,
    eventbridge: eventBridge.endpoint,
    sfn: stepFunctions.endpoint,
    cognito: inputs.userPools.endpoint,
    secretsmanager: inputs.secretsManager.endpoint,
    ssm: inputs.ssm.endpoint,
  };
  const functionEndpoints = iam
    ? await guardedEndpoints(startup, serviceEndpoints, emulators.sqs, iam)
    : serviceEndpoints;
  const lambda = createLambdaRuntime({
    functions: model.functions.map((fn) => ({
      name: fn.name,
      handlerFile: fn.handlerFile,
      handlerExport: fn.handlerExport,
      environment: { ...fn.environment, ...(iam ? roleCredentials(iam, fn.name) : {}) },
      timeoutSeconds: fn.timeoutSeconds,
      memoryMb: fn.memoryMb,
      ...(fn.reservedConcurrency ? { maxConcurrency: fn.reservedConcurrency } : {}),
    })),
    baseEnvironment: { ...functionSettings(startup.region, functionEndpoints), ...faults?.environment },
    log: faults?.log ?? startup.log,
  });
  runtime = lambda;
  // Stopped after their event sources and Step Functions, which are added after it.
  stoppers.add(() => lambda.stop());
  const { eventSources, mappings } = startEventSources(startup, inputs, lambda);
  const lambdaApi = await createEventSourceMappingApi({
    mappings,
    functionByArn: new Map(model.functions.map((fn) => [fn.arn, fn.name])),
    log: startup.log,
    region: startup.region,
    accountId: LOCAL_ACCOUNT_ID,
  });
  // Added after the event sources, so stopped before them: no update reaches a stopped poller.
  stoppers.add(() => lambdaApi.stop());
  const endpoints: LocalEndpoints = { ...functionEndpoints, lambda: lambdaApi.endpoint };
  // Executions are aborted (and so resumable with --persist) first, while the functions their
  // tasks wait on still run: a task cut off by a stopping runtime failed, and the workflow would
  // catch the failure. Stopping again later is a no-op.
  stoppers.add(() => stepFunctions.stop());
  return { endpoints, eventBridge, stepFunctions, lambda, eventSources, undeliveredEvents };
}

/**
 * IAM for the functions and workflows about to start; refuses to start (listing why) what it cannot
 * judge. A task token is traced to its state machine by the Step Functions service, started later.
 */
function startIam(
  { region, log }: Startup,
  { model }: ServiceInputs,
  iamModel: IamModel,
  stepFunctions: () => StepFunctionsService | undefined,
): LocalIam {
  const running = new Set(model.functions.map((fn) => fn.name));
  const names: ResourceNames = {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    secretArn: (id) =>
      model.secrets.find(
        (secret) => secret.arn === id || secret.name === id || secret.arn.startsWith(`${id}-`),
      )?.arn,
    stateMachineOfTaskToken: (token) => stepFunctions()?.stateMachineOfTaskToken(token),
  };
  return createLocalIam({
    model: {
      roles: iamModel.roles,
      functionRoles: new Map([...iamModel.functionRoles].filter(([name]) => running.has(name))),
    },
    stateMachines: model.stateMachines,
    names,
    log,
  });
}

/**
 * A gateway in front of each endpoint, which checks the calls signed with a function's credentials.
 * SQS is checked on fauxqs itself, whose endpoint is the host of every queue URL: a client that
 * sends to the queue URL (the SDKs' default) reaches it past any gateway.
 */
async function guardedEndpoints(
  { stoppers }: Startup,
  endpoints: FunctionEndpoints,
  sqs: LocalFauxqs,
  iam: LocalIam,
): Promise<FunctionEndpoints> {
  sqs.guard((headers, input) => {
    const call = functionCallOf(iam, headers);
    return call && deniedAnswer(iam, 'sqs', call, input);
  });
  const { sqs: sqsEndpoint, ...gated } = endpoints;
  const guarded = await Promise.all(
    (Object.keys(gated) as (keyof typeof gated)[]).map(async (name) => {
      const gateway = await startIamGateway({ service: IAM_SERVICES[name], target: endpoints[name], iam });
      stoppers.add(() => gateway.stop());
      return [name, gateway.endpoint] as const;
    }),
  );
  return { ...(Object.fromEntries(guarded) as typeof gated), sqs: sqsEndpoint };
}

/** A function's own credentials, which name its role to the gateways, in place of the shared ones. */
function roleCredentials(iam: LocalIam, functionName: string): Record<string, string> {
  const { accessKeyId, secretAccessKey } = iam.credentialsOf(functionName);
  return { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
}

/**
 * The standard `AWS_ENDPOINT_URL_<SERVICE>` variables the AWS SDKs and CLI read themselves: what the
 * functions get, and what the banner tells a person to export to reach the same endpoints.
 */
export function endpointEnvironment(
  endpoints: FunctionEndpoints & { lambda?: string },
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.cognito,
    AWS_ENDPOINT_URL_SSM: endpoints.ssm,
    ...(endpoints.lambda ? { AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda } : {}),
  };
}

/**
 * What every function gets: the region, dummy credentials (each function's own replace them when
 * IAM is enforced), and the local endpoint of each service.
 */
function functionSettings(region: string, endpoints: FunctionEndpoints): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...endpointEnvironment(endpoints),
    // CloudWatch has no local endpoint: metrics stay in the log as EMF lines at DEBUG.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

async function startWorkflowServices(
  startup: Startup,
  inputs: ServiceInputs,
  invoker: LambdaInvoker,
  iam: LocalIam | undefined,
) {
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
      targets: targets.map(ruleTarget),
    })),
    schedules: model.schedules.map(({ name, arn, expression, targets }) => ({
      name,
      arn,
      expression,
      targets: targets.map(ruleTarget),
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
    ...(iam
      ? {
          authorize: (stateMachineArn: string, call: TaskCall) =>
            iam.authorizeTask(stateMachineArn, call.service, call.operation, call.input),
        }
      : {}),
    ...(inputs.retryIntervalScale !== undefined ? { retryIntervalScale: inputs.retryIntervalScale } : {}),
    ...(inputs.taskTimeoutScale !== undefined ? { taskTimeoutScale: inputs.taskTimeoutScale } : {}),
    ...(persistDir ? { persistDir: join(persistDir, 'stepfunctions') } : {}),
  });
  stepFunctions = started;
  stoppers.add(() => started.stop());
  return { eventBridge, stepFunctions: started, undeliveredEvents: events?.undelivered ?? [] };
}

/** What EventBridge sends to a target; the Kinesis partition key is found again at delivery. */
function ruleTarget({ id, arn, input, inputPath }: RuleTargetModel): RuleTarget {
  return {
    id,
    arn,
    ...(input !== undefined ? { input } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
  };
}

/**
 * The templates' SQS event source mappings, by function name as `cloud.eventSources` has them, and
 * each with its model for the Lambda API. A mapping declared disabled is created not polling.
 */
function startEventSources(
  { region, log, stoppers }: Startup,
  { model, clients, faults }: ServiceInputs,
  lambda: LambdaRuntime,
): { eventSources: Map<string, SqsEventSource>; mappings: RunningMapping[] } {
  const queueByArn = new Map(model.queues.map((queue) => [queue.arn, queue]));
  const mappings = model.eventSourceMappings.map((mapping): RunningMapping => {
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
      enabled: mapping.enabled,
      ...(mapping.maximumConcurrency ? { pollers: mapping.maximumConcurrency } : {}),
      ...(deliver ? { deliver } : {}),
    });
    return { model: mapping, source };
  });
  stoppers.add(() => Promise.all(mappings.map(({ source }) => source.stop())));
  const eventSources = new Map(mappings.map(({ model: mapping, source }) => [mapping.functionName, source]));
  return { eventSources, mappings };
}
