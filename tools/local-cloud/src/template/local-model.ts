import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AssemblyStack } from './cloud-assembly.ts';
import {
  checkAuthorizerIssuers,
  type RouteAuthorizerModel,
  readRouteAuthorizer,
  readSecret,
  readUserPool,
  readUserPoolClient,
  type SecretModel,
  type UserPoolModel,
} from './identity-model.ts';
import { type LocalEnvironment, TemplateResolver } from './intrinsics.ts';

export type {
  RouteAuthorizerModel,
  SecretModel,
  UserPoolClientModel,
  UserPoolModel,
} from './identity-model.ts';
export { UnsupportedAuthorizerError } from './identity-model.ts';

/**
 * Everything the local cloud runs, learnt from the synthesized templates: tables, queues, the
 * stream, buses and rules, functions, their event sources, state machines, HTTP routes with their
 * authorizers, user pools with their app clients, and secrets. Nothing
 * here is written by hand for this application: a new queue or function in infra/ appears locally
 * with no change to the local cloud.
 */
export interface LocalModel {
  tables: TableModel[];
  queues: QueueModel[];
  streams: StreamModel[];
  buses: BusModel[];
  rules: RuleModel[];
  functions: FunctionModel[];
  eventSourceMappings: EventSourceMappingModel[];
  stateMachines: StateMachineModel[];
  routes: RouteModel[];
  userPools: UserPoolModel[];
  secrets: SecretModel[];
  ssmParameters: Map<string, string>;
  /** What the templates ask for that the local cloud does not emulate, said once at start-up. */
  notes: string[];
}

export interface TableModel {
  name: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
  }[];
}

export interface QueueModel {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  /** SQS attributes (VisibilityTimeout, RedrivePolicy, ...) as CreateQueue takes them. */
  attributes: Record<string, string>;
}

export interface StreamModel {
  name: string;
  arn: string;
  shardCount: number;
}

export interface BusModel {
  name: string;
  arn: string;
}

export interface RuleModel {
  name: string;
  busName: string;
  pattern: Record<string, unknown>;
  targets: {
    id: string;
    arn: string;
    input?: string;
    inputPath?: string;
    kinesisPartitionKeyPath?: string;
  }[];
}

export interface FunctionModel {
  logicalId: string;
  stackName: string;
  name: string;
  arn: string;
  handlerFile: string;
  handlerExport: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
}

export interface EventSourceMappingModel {
  functionName: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
}

export interface StateMachineModel {
  name: string;
  arn: string;
  definition: Record<string, unknown>;
}

export interface RouteModel {
  routeKey: string;
  functionName: string;
  /** Absent: the route takes any request (`AuthorizationType: NONE`). */
  authorizer?: RouteAuthorizerModel;
}

const SQS_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: 'VisibilityTimeout',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  DelaySeconds: 'DelaySeconds',
  MaximumMessageSize: 'MaximumMessageSize',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  FifoQueue: 'FifoQueue',
  ContentBasedDeduplication: 'ContentBasedDeduplication',
};

export function buildLocalModel(
  stacks: AssemblyStack[],
  env: Omit<LocalEnvironment, 'ssmParameters'>,
): LocalModel {
  const model: LocalModel = {
    tables: [],
    queues: [],
    streams: [],
    buses: [],
    rules: [],
    functions: [],
    eventSourceMappings: [],
    stateMachines: [],
    routes: [],
    userPools: [],
    secrets: [],
    ssmParameters: new Map(),
    notes: [],
  };
  const localEnv: LocalEnvironment = { ...env, ssmParameters: model.ssmParameters };
  const resolvers = stacks.map((stack) => new TemplateResolver(stack, localEnv));

  // Parameters first, stack by stack in deployment order: later stacks read what earlier ones wrote.
  for (const resolver of resolvers) {
    for (const [logicalId, resource] of resolver.resources()) {
      if (resource.Type !== 'AWS::SSM::Parameter') continue;
      const props = resolver.properties(logicalId);
      model.ssmParameters.set(String(props.Name), String(props.Value));
    }
  }
  for (const resolver of resolvers) readResources(resolver, model);

  const functionByArn = new Map(model.functions.map((fn) => [fn.arn, fn.name]));
  for (const resolver of resolvers) readWiring(resolver, model, functionByArn);
  checkAuthorizerIssuers(model.routes, model.userPools, model.notes);
  return model;
}

function readResources(resolver: TemplateResolver, model: LocalModel): void {
  const stackName = resolver.stack.stackName;
  for (const [logicalId, resource] of resolver.resources()) {
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const props = resolver.properties(logicalId);
        model.tables.push({
          name: resolver.identity(logicalId).ref,
          keySchema: props.KeySchema as TableModel['keySchema'],
          attributeDefinitions: props.AttributeDefinitions as TableModel['attributeDefinitions'],
          globalSecondaryIndexes: (
            (props.GlobalSecondaryIndexes ?? []) as TableModel['globalSecondaryIndexes']
          ).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
        });
        if (props.TimeToLiveSpecification) {
          model.notes.push(`${logicalId}: TTL is not emulated (dynalite); expired items stay`);
        }
        if (props.StreamSpecification) model.notes.push(`${logicalId}: DynamoDB Streams are not emulated`);
        break;
      }
      case 'AWS::SQS::Queue': {
        const props = resolver.properties(logicalId);
        const identity = resolver.identity(logicalId);
        const attributes: Record<string, string> = {};
        for (const [property, attribute] of Object.entries(SQS_ATTRIBUTES)) {
          if (props[property] !== undefined) attributes[attribute] = String(props[property]);
        }
        if (props.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(props.RedrivePolicy);
        model.queues.push({
          logicalId,
          name: String(identity.attributes.QueueName),
          url: identity.ref,
          arn: String(identity.attributes.Arn),
          attributes,
        });
        break;
      }
      case 'AWS::Kinesis::Stream': {
        const props = resolver.properties(logicalId);
        model.streams.push({
          name: resolver.identity(logicalId).ref,
          arn: String(resolver.identity(logicalId).attributes.Arn),
          shardCount: Number(props.ShardCount ?? 1),
        });
        break;
      }
      case 'AWS::Events::EventBus':
        model.buses.push({
          name: resolver.identity(logicalId).ref,
          arn: String(resolver.identity(logicalId).attributes.Arn),
        });
        break;
      case 'AWS::Lambda::Function': {
        const fn = readFunction(resolver, logicalId, stackName);
        if (typeof fn === 'string') model.notes.push(fn);
        else model.functions.push(fn);
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const props = resolver.properties(logicalId);
        let text =
          typeof props.DefinitionString === 'string'
            ? props.DefinitionString
            : JSON.stringify(props.Definition);
        for (const [key, value] of Object.entries(
          (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
        )) {
          text = text.replaceAll(`\${${key}}`, String(value));
        }
        const identity = resolver.identity(logicalId);
        model.stateMachines.push({
          name: String(identity.attributes.Name),
          arn: identity.ref,
          definition: JSON.parse(text) as Record<string, unknown>,
        });
        break;
      }
      case 'AWS::Cognito::UserPool':
        model.userPools.push(readUserPool(resolver, logicalId, model.notes));
        break;
      case 'AWS::SecretsManager::Secret':
        model.secrets.push(readSecret(resolver, logicalId));
        break;
      default:
        break;
    }
  }
}

function readFunction(
  resolver: TemplateResolver,
  logicalId: string,
  stackName: string,
): FunctionModel | string {
  const resource = resolver.resource(logicalId);
  const props = resolver.properties(logicalId);
  const assetPath = resource.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') return `${logicalId}: no code asset (inline code is not run locally)`;
  const [module, handlerExport = 'handler'] = String(props.Handler ?? 'index.handler').split(/\.(?=[^.]+$)/);
  const directory = resolve(resolver.stack.directory, assetPath);
  const handlerFile = ['.mjs', '.js', '.cjs']
    .map((extension) => join(directory, `${module}${extension}`))
    .find((file) => existsSync(file));
  if (!handlerFile) return `${logicalId}: no ${module}.mjs/.js in ${directory}`;
  const identity = resolver.identity(logicalId);
  const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}) as Record<string, unknown>;
  return {
    logicalId,
    stackName,
    name: identity.ref,
    arn: String(identity.attributes.Arn),
    handlerFile,
    handlerExport,
    environment: Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)])),
    timeoutSeconds: Number(props.Timeout ?? 3),
    memoryMb: Number(props.MemorySize ?? 128),
    ...(props.ReservedConcurrentExecutions !== undefined
      ? { reservedConcurrency: Number(props.ReservedConcurrentExecutions) }
      : {}),
  };
}

/** The function an ARN names: plain, qualified by version or alias, or just a name. */
export function functionNameFromArn(arn: string, functionByArn: Map<string, string>): string | undefined {
  const exact = functionByArn.get(arn);
  if (exact) return exact;
  const match = /^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+)(?::.+)?$/.exec(arn);
  return match?.[1] ? functionByArn.get(match[1]) : undefined;
}

function readWiring(resolver: TemplateResolver, model: LocalModel, functionByArn: Map<string, string>): void {
  const functionName = (reference: string): string => {
    if (!reference.startsWith('arn:')) return reference;
    const name = functionNameFromArn(reference, functionByArn);
    if (!name) throw new Error(`${resolver.stack.stackName}: no local function has the ARN ${reference}`);
    return name;
  };
  for (const [logicalId, resource] of resolver.resources()) {
    switch (resource.Type) {
      case 'AWS::Events::Rule': {
        const props = resolver.properties(logicalId);
        if (props.State === 'DISABLED') break;
        if (!props.EventPattern) {
          model.notes.push(`${logicalId}: scheduled rules are not run locally`);
          break;
        }
        const targets = (props.Targets ?? []) as Record<string, unknown>[];
        model.rules.push({
          name: resolver.identity(logicalId).ref,
          busName: String(props.EventBusName ?? 'default').replace(/^arn:.*:event-bus\//, ''),
          pattern: props.EventPattern as Record<string, unknown>,
          targets: targets.map((target) => ({
            id: String(target.Id),
            arn: String(target.Arn),
            ...(target.Input !== undefined ? { input: String(target.Input) } : {}),
            ...(target.InputPath !== undefined ? { inputPath: String(target.InputPath) } : {}),
            ...((target.KinesisParameters as { PartitionKeyPath?: string } | undefined)?.PartitionKeyPath
              ? {
                  kinesisPartitionKeyPath: (target.KinesisParameters as { PartitionKeyPath: string })
                    .PartitionKeyPath,
                }
              : {}),
          })),
        });
        break;
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const props = resolver.properties(logicalId);
        const source = String(props.EventSourceArn);
        if (!source.startsWith('arn:aws:sqs:')) {
          model.notes.push(`${logicalId}: only SQS event sources run locally (${source})`);
          break;
        }
        if (props.Enabled === false) break;
        model.eventSourceMappings.push({
          functionName: functionName(String(props.FunctionName)),
          queueArn: source,
          batchSize: Number(props.BatchSize ?? 10),
          maximumBatchingWindowSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
          reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as string[]).includes(
            'ReportBatchItemFailures',
          ),
          ...((props.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency
            ? {
                maximumConcurrency: (props.ScalingConfig as { MaximumConcurrency: number })
                  .MaximumConcurrency,
              }
            : {}),
        });
        break;
      }
      case 'AWS::ApiGatewayV2::Route': {
        const props = resolver.properties(logicalId);
        const target = String(props.Target ?? '');
        const integrationId = target.replace(/^integrations\//, '');
        const integration = resolver.stack.template.Resources[integrationId];
        if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') {
          model.notes.push(`${logicalId}: route ${String(props.RouteKey)} has no Lambda integration`);
          break;
        }
        const uri = resolver.resolveString(
          resolver.properties(integrationId).IntegrationUri,
          'IntegrationUri',
        );
        const authorizer = readRouteAuthorizer(resolver, logicalId, props);
        model.routes.push({
          routeKey: String(props.RouteKey),
          functionName: functionName(uri),
          ...(authorizer ? { authorizer } : {}),
        });
        break;
      }
      case 'AWS::Cognito::UserPoolClient':
        readUserPoolClient(resolver, logicalId, model.userPools);
        break;
      default:
        break;
    }
  }
}
