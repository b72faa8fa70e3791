import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordCommand,
  ResourceInUseException as StreamInUseException,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createActivityFeed } from './activity/activity-feed.ts';
import { buildFlowDiagram } from './activity/flow-diagram.ts';
import { createHttpApi, type HttpApi } from './apigateway/http-api.ts';
import { createUserPoolService, type UserPoolService } from './cognito/user-pool-service.ts';
import type { LambdaInvoker, LogSink } from './contracts.ts';
import { type Emulators, startEmulators } from './emulators/emulators.ts';
import {
  createEventBridgeService,
  type Delivery,
  type EventBridgeService,
  type RuleTarget,
} from './eventbridge/event-bridge-service.ts';
import { EventDeliveryFile } from './eventbridge/event-delivery-journal.ts';
import { compileInputPath } from './eventbridge/input-path.ts';
import { type FaultInjection, startFaultInjection } from './faults/fault-injection.ts';
import type { FaultPlan } from './faults/fault-plan.ts';
import {
  type LocalIdentity,
  type LocalSecrets,
  localIdentity,
  localSecret,
  localSecrets,
} from './identity/local-identity.ts';
import { createLambdaRuntime, type LambdaRuntime } from './lambda/lambda-runtime.ts';
import {
  createSecretsManagerService,
  type SecretsManagerService,
} from './secretsmanager/secrets-manager-service.ts';
import { type SqsEventSource, startSqsEventSource } from './sqs/event-source-mapping.ts';
import {
  createStepFunctionsService,
  type StepFunctionsService,
} from './stepfunctions/stepfunctions-service.ts';
import { readAssemblyStacks } from './template/cloud-assembly.ts';
import { buildLocalModel, functionNameFromArn, type LocalModel } from './template/local-model.ts';
import { createFlowPage, type FlowPage } from './ui/flow-page.ts';

export type {
  LocalCustomer,
  LocalIdentity,
  LocalSecrets,
  UserPoolTarget,
} from './identity/local-identity.ts';

/** The account id the local cloud uses everywhere (fauxqs' own). */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalCloudOptions {
  /** A cloud assembly folder holding the stage's stacks, e.g. `infra/cdk.out/assembly-local`. */
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
  /** Fault injection, off when absent: see src/faults and docs/reliability.md. */
  faults?: FaultPlan;
  /**
   * Multiplies the workflow's Retry intervals (0.01 turns a 1 s wait into 10 ms). Retry counts and
   * backoff shape are never changed. Default 1: the intervals of the template.
   */
  retryIntervalScale?: number;
  /** Multiplies the timeouts of tasks that wait for a callback (a bank transfer). Default 1. */
  taskTimeoutScale?: number;
  /**
   * Caps every queue's visibility timeout, so a failed message comes back (and reaches its DLQ after
   * maxReceiveCount) in seconds rather than minutes. Receive counts are never changed. Default: the
   * template's timeouts.
   */
  maxVisibilityTimeoutSeconds?: number;
}

export interface LocalCloud {
  /** The HTTP API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** What handlers get as AWS_ENDPOINT_URL_*: the local endpoint of every service. */
  endpoints: Record<
    'dynamodb' | 'sqs' | 'kinesis' | 'eventbridge' | 'sfn' | 'cognito' | 'secretsmanager',
    string
  >;
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
  /** The running SQS event source mappings, by function name. */
  eventSources: Map<string, SqsEventSource>;
  stop(): Promise<void>;
}

const SOURCE = 'local-cloud';

/**
 * Runs a synthesized CDK app locally: every resource and connection comes from its templates.
 * Emulators first, then the resources in them, then the services that call each other (Step
 * Functions and EventBridge call functions; functions call them back through their endpoints),
 * then the event source mappings and the HTTP API.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const stacks = readAssemblyStacks(options.assemblyDir);
  // The templates carry their region in ARNs they spell out: run in the same one.
  const region = options.region ?? stacks.find((stack) => stack.region)?.region ?? 'us-east-1';
  // Every log entry also feeds the flow page's per-order log panel.
  const activity = createActivityFeed();
  const log = activity.logSink(options.log);
  const info = (message: string, fields?: Record<string, unknown>) =>
    log({
      source: SOURCE,
      level: 'INFO',
      message,
      time: new Date().toISOString(),
      ...(fields ? { fields } : {}),
    });

  const emulators = await startEmulators(options.persistDir ? { persistDir: options.persistDir } : {});
  const stoppers: (() => Promise<unknown>)[] = [() => emulators.stop()];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  };
  try {
    let faults: FaultInjection | undefined;
    if (options.faults) {
      const injection = await startFaultInjection(options.faults, {
        dynamodbEndpoint: emulators.dynamodb.endpoint,
        log,
      });
      stoppers.push(() => injection.stop());
      faults = injection;
    }
    const model = buildLocalModel(stacks, {
      region,
      accountId: LOCAL_ACCOUNT_ID,
      sqsEndpoint: emulators.sqs.endpoint,
    });
    for (const note of model.notes) {
      log({
        source: SOURCE,
        level: 'DEBUG',
        message: `Not emulated: ${note}`,
        time: new Date().toISOString(),
      });
    }
    const clients = createClients(emulators, region);
    // Stopped just before the emulators: functions and the page may still sign in or read a secret.
    const userPools = await createUserPoolService({
      userPools: model.userPools,
      log,
      ...(options.persistDir ? { persistDir: join(options.persistDir, 'cognito') } : {}),
    });
    stoppers.push(() => userPools.stop());
    const secretsManager = await createSecretsManagerService({
      secrets: model.secrets.map(localSecret),
      log,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ...(options.persistDir ? { persistDir: join(options.persistDir, 'secretsmanager') } : {}),
    });
    stoppers.push(() => secretsManager.stop());
    if (options.maxVisibilityTimeoutSeconds !== undefined) {
      for (const queue of model.queues) {
        const current = Number(queue.attributes.VisibilityTimeout ?? 30);
        queue.attributes.VisibilityTimeout = String(Math.min(current, options.maxVisibilityTimeoutSeconds));
      }
    }
    await createResources(model, clients);

    // Step Functions and EventBridge invoke functions, which are created after them (they need
    // both endpoints): this invoker forwards to the runtime once it exists.
    let runtime: LambdaRuntime | undefined;
    const invoker: LambdaInvoker = {
      invoke: (name, event) => {
        if (!runtime) throw new Error('The Lambda runtime is not started yet');
        return runtime.invoke(name, event);
      },
    };
    const functionByArn = new Map(model.functions.map((fn) => [fn.arn, fn.name]));
    let stepFunctions: StepFunctionsService | undefined;
    const events = options.persistDir
      ? EventDeliveryFile.open(join(options.persistDir, 'eventbridge'))
      : undefined;

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
      ...withDefined('journal', events?.journal),
    });
    stoppers.push(() => eventBridge.stop());
    // Stoppers run last first: the functions stop after Step Functions, below.
    stoppers.push(() => runtime?.stop() ?? Promise.resolve());

    stepFunctions = await createStepFunctionsService({
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
      ...(options.retryIntervalScale !== undefined ? { retryIntervalScale: options.retryIntervalScale } : {}),
      ...(options.taskTimeoutScale !== undefined ? { taskTimeoutScale: options.taskTimeoutScale } : {}),
      ...(options.persistDir ? { persistDir: join(options.persistDir, 'stepfunctions') } : {}),
    });
    stoppers.push(() => (stepFunctions as StepFunctionsService).stop());

    const endpoints = {
      dynamodb: faults?.dynamodbEndpoint ?? emulators.dynamodb.endpoint,
      sqs: emulators.sqs.endpoint,
      kinesis: emulators.kinesis.endpoint,
      eventbridge: eventBridge.endpoint,
      sfn: stepFunctions.endpoint,
      cognito: userPools.endpoint,
      secretsmanager: secretsManager.endpoint,
    };
    runtime = createLambdaRuntime({
      functions: model.functions.map((fn) => ({
        name: fn.name,
        handlerFile: fn.handlerFile,
        handlerExport: fn.handlerExport,
        environment: fn.environment,
        timeoutSeconds: fn.timeoutSeconds,
        memoryMb: fn.memoryMb,
        ...(fn.reservedConcurrency ? { maxConcurrency: fn.reservedConcurrency } : {}),
      })),
      baseEnvironment: {
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
        ...faults?.environment,
      },
      log: faults?.log ?? log,
    });
    const lambda = runtime;

    const queueByArn = new Map(model.queues.map((queue) => [queue.arn, queue]));
    const eventSources = new Map<string, SqsEventSource>();
    const mappings: SqsEventSource[] = model.eventSourceMappings.map((mapping) => {
      const queue = queueByArn.get(mapping.queueArn);
      if (!queue)
        throw new Error(`Event source ${mapping.queueArn} of ${mapping.functionName} is not a local queue`);
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
        ...withDefined('deliver', faults?.deliver(mapping.functionName)),
      });
      eventSources.set(mapping.functionName, source);
      return source;
    });
    stoppers.push(() => Promise.all(mappings.map((mapping) => mapping.stop())));
    // Executions are aborted (and so resumable with --persist) first, while the functions their
    // tasks wait on still run: a task cut off by a stopping runtime failed, and the workflow caught
    // the failure and failed the payment. Stopping again later is a no-op.
    stoppers.push(() => (stepFunctions as StepFunctionsService).stop());

    let flowPage: FlowPage | undefined;
    const api = await createHttpApi({
      routes: model.routes,
      invoker: lambda,
      log,
      host: '127.0.0.1',
      port: options.port ?? 3000,
      // What no API route takes (`/` and its assets) is the flow page's.
      fallback: (request, response) => flowPage?.handle(request, response) ?? false,
      jwtKeys: (issuer) => userPools.jwks(issuer),
    });
    stoppers.push(() => api.stop());
    const index = buildFlowDiagram(model);
    activity.attach({ index, api, lambda, eventSources, eventBridge, stepFunctions });
    const identity = localIdentity(model, userPools, region);
    const secrets = localSecrets(model, secretsManager);
    const page = createFlowPage({
      model,
      index,
      feed: activity,
      stepFunctions,
      clients,
      log,
      apiUrl: api.url,
      identity,
      webhookSecret: secrets.webhookSecret,
    });
    flowPage = page;
    stoppers.push(async () => {
      page.stop();
      activity.stop();
    });

    const resumed = stepFunctions.resumeInterrupted();
    if (resumed > 0) info(`Resumed ${resumed} workflow execution(s) a restart had interrupted`);
    const undelivered = events?.undelivered ?? [];
    if (undelivered.length > 0) {
      info(`Delivering ${undelivered.length} event(s) accepted before a restart but not delivered`);
      eventBridge.redeliver(undelivered);
    }
    info('Local cloud running', {
      functions: model.functions.length,
      queues: model.queues.length,
      tables: model.tables.length,
      stateMachines: model.stateMachines.length,
      routes: model.routes.length,
      userPools: model.userPools.length,
      secrets: model.secrets.length,
    });
    return {
      url: api.url,
      endpoints,
      identity,
      secrets,
      userPools,
      secretsManager,
      model,
      lambda,
      eventBridge,
      stepFunctions,
      api,
      eventSources,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Clients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  kinesis: KinesisClient;
}

const withDefined = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function dynamoDbClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ region, credentials: LOCAL_CREDENTIALS, endpoint });
}

function createClients(emulators: Emulators, region: string): Clients {
  const common = { region, credentials: LOCAL_CREDENTIALS };
  return {
    dynamodb: dynamoDbClient(emulators.dynamodb.endpoint, region),
    sqs: new SQSClient({ ...common, endpoint: emulators.sqs.endpoint, useQueueUrlAsEndpoint: false }),
    // kinesalite speaks HTTP/1.1 only; the v3 client would otherwise try HTTP/2.
    kinesis: new KinesisClient({
      ...common,
      endpoint: emulators.kinesis.endpoint,
      requestHandler: new NodeHttpHandler(),
    }),
  };
}

async function createResources(model: LocalModel, clients: Clients): Promise<void> {
  for (const table of model.tables) {
    try {
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: table.keySchema,
          AttributeDefinitions: table.attributeDefinitions,
          ...(table.globalSecondaryIndexes.length > 0
            ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes }
            : {}),
        }),
      );
    } catch (error) {
      // With --persist the table is still there from the last run, data included.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  // Dead-letter queues must exist before a redrive policy can name them: create every queue, then redrive.
  for (const queue of model.queues) {
    const { RedrivePolicy: _redrive, ...attributes } = queue.attributes;
    await clients.sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes }));
  }
  for (const queue of model.queues) {
    if (!queue.attributes.RedrivePolicy) continue;
    await clients.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queue.url,
        Attributes: { RedrivePolicy: queue.attributes.RedrivePolicy },
      }),
    );
  }
  for (const stream of model.streams) {
    try {
      await clients.kinesis.send(
        new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }),
      );
    } catch (error) {
      if (!(error instanceof StreamInUseException)) throw error;
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { StreamDescriptionSummary } = await clients.kinesis.send(
        new DescribeStreamSummaryCommand({ StreamName: stream.name }),
      );
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`Kinesis stream ${stream.name} did not become ACTIVE`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function deliverToTarget(
  target: RuleTarget,
  payload: unknown,
  delivery: Delivery,
  context: {
    model: LocalModel;
    clients: Clients;
    invoker: LambdaInvoker;
    functionByArn: Map<string, string>;
    stepFunctions: StepFunctionsService | undefined;
  },
): Promise<void> {
  const { model, clients } = context;
  const [, , service] = target.arn.split(':');
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  switch (service) {
    case 'sqs': {
      const queue = model.queues.find((candidate) => candidate.arn === target.arn);
      if (!queue) throw new Error(`Rule ${delivery.rule}: no local queue ${target.arn}`);
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      return;
    }
    case 'kinesis': {
      const stream = model.streams.find((candidate) => candidate.arn === target.arn);
      if (!stream) throw new Error(`Rule ${delivery.rule}: no local stream ${target.arn}`);
      const rule = model.rules.find((candidate) => candidate.name === delivery.rule);
      const keyPath = rule?.targets.find((candidate) => candidate.id === target.id)?.kinesisPartitionKeyPath;
      const selected = keyPath ? compileInputPath(keyPath)(delivery.event) : { found: false as const };
      const partitionKey =
        selected.found && selected.value !== undefined ? String(selected.value) : delivery.event.id;
      await clients.kinesis.send(
        new PutRecordCommand({
          StreamName: stream.name,
          Data: Buffer.from(body),
          PartitionKey: partitionKey,
        }),
      );
      return;
    }
    case 'lambda': {
      const name = functionNameFromArn(target.arn, context.functionByArn);
      if (!name) throw new Error(`Rule ${delivery.rule}: no local function ${target.arn}`);
      const result = await context.invoker.invoke(name, payload);
      if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
      return;
    }
    case 'states': {
      if (!context.stepFunctions) throw new Error('Step Functions is not started yet');
      await context.stepFunctions.startExecution(target.arn, undefined, payload);
      return;
    }
    default:
      throw new Error(`Rule ${delivery.rule}: targets of type ${service} are not emulated (${target.arn})`);
  }
}
