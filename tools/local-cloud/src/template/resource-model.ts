import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readArchive } from './archive-model.ts';
import { readSecret, readUserPool } from './identity-model.ts';
import type { TemplateResolver } from './intrinsics.ts';
import type {
  BusModel,
  FunctionModel,
  LocalModel,
  QueueModel,
  StateMachineModel,
  StreamModel,
  TableModel,
} from './local-model.ts';

/**
 * The resources a stack's template declares that the local cloud runs: tables, queues, streams,
 * buses, functions, state machines, user pools and secrets. What they cannot do locally (TTL,
 * DynamoDB Streams, inline code) goes to `model.notes`.
 */
export function readResources(resolver: TemplateResolver, model: LocalModel): void {
  const stackName = resolver.stack.stackName;
  for (const [logicalId, resource] of resolver.resources()) {
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        model.tables.push(readTable(resolver, logicalId, model.notes));
        break;
      case 'AWS::SQS::Queue':
        model.queues.push(readQueue(resolver, logicalId));
        break;
      case 'AWS::Kinesis::Stream':
        model.streams.push(readStream(resolver, logicalId));
        break;
      case 'AWS::Events::EventBus':
        model.buses.push(readBus(resolver, logicalId));
        break;
      case 'AWS::Events::Archive':
        model.archives.push(readArchive(resolver, logicalId));
        break;
      case 'AWS::Lambda::Function': {
        const fn = readFunction(resolver, logicalId, stackName);
        if (typeof fn === 'string') model.notes.push(fn);
        else model.functions.push(fn);
        break;
      }
      case 'AWS::StepFunctions::StateMachine':
        model.stateMachines.push(readStateMachine(resolver, logicalId));
        break;
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

function readTable(resolver: TemplateResolver, logicalId: string, notes: string[]): TableModel {
  const props = resolver.properties(logicalId);
  const table: TableModel = {
    name: resolver.identity(logicalId).ref,
    keySchema: props.KeySchema as TableModel['keySchema'],
    attributeDefinitions: props.AttributeDefinitions as TableModel['attributeDefinitions'],
    globalSecondaryIndexes: (
      (props.GlobalSecondaryIndexes ?? []) as TableModel['globalSecondaryIndexes']
    ).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
  };
  if (props.TimeToLiveSpecification) {
    notes.push(`${logicalId}: TTL is not emulated (dynalite); expired items stay`);
  }
  if (props.StreamSpecification) notes.push(`${logicalId}: DynamoDB Streams are not emulated`);
  return table;
}

/** The template's queue properties that CreateQueue takes as attributes of the same name. */
const SQS_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: 'VisibilityTimeout',
  MessageRetentionPeriod: 'MessageRetentionPeriod',
  DelaySeconds: 'DelaySeconds',
  MaximumMessageSize: 'MaximumMessageSize',
  ReceiveMessageWaitTimeSeconds: 'ReceiveMessageWaitTimeSeconds',
  FifoQueue: 'FifoQueue',
  ContentBasedDeduplication: 'ContentBasedDeduplication',
};

function readQueue(resolver: TemplateResolver, logicalId: string): QueueModel {
  const props = resolver.properties(logicalId);
  const identity = resolver.identity(logicalId);
  const attributes: Record<string, string> = {};
  for (const [property, attribute] of Object.entries(SQS_ATTRIBUTES)) {
    if (props[property] !== undefined) attributes[attribute] = String(props[property]);
  }
  if (props.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(props.RedrivePolicy);
  return {
    logicalId,
    name: String(identity.attributes.QueueName),
    url: identity.ref,
    arn: String(identity.attributes.Arn),
    attributes,
  };
}

function readStream(resolver: TemplateResolver, logicalId: string): StreamModel {
  const props = resolver.properties(logicalId);
  return {
    name: resolver.identity(logicalId).ref,
    arn: String(resolver.identity(logicalId).attributes.Arn),
    shardCount: Number(props.ShardCount ?? 1),
  };
}

function readBus(resolver: TemplateResolver, logicalId: string): BusModel {
  return {
    name: resolver.identity(logicalId).ref,
    arn: String(resolver.identity(logicalId).attributes.Arn),
  };
}

/** A function whose handler file is built; otherwise the note that says why it does not run. */
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

/** The definition as the machine runs it: its `DefinitionSubstitutions` written in. */
function readStateMachine(resolver: TemplateResolver, logicalId: string): StateMachineModel {
  const props = resolver.properties(logicalId);
  let text =
    typeof props.DefinitionString === 'string' ? props.DefinitionString : JSON.stringify(props.Definition);
  for (const [key, value] of Object.entries(
    (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
  )) {
    text = text.replaceAll(`\${${key}}`, String(value));
  }
  const identity = resolver.identity(logicalId);
  return {
    name: String(identity.attributes.Name),
    arn: identity.ref,
    definition: JSON.parse(text) as Record<string, unknown>,
    ...(typeof props.RoleArn === 'string' ? { roleArn: props.RoleArn } : {}),
    ...(isObject(props.LoggingConfiguration)
      ? { loggingConfiguration: apiShape(props.LoggingConfiguration) }
      : {}),
    ...(isObject(props.TracingConfiguration)
      ? { tracingConfiguration: apiShape(props.TracingConfiguration) }
      : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** CloudFormation spells the API's members in PascalCase (`Level`); the API answers `level`. */
function apiShape(value: Record<string, unknown>): Record<string, unknown> {
  const convert = (item: unknown): unknown =>
    Array.isArray(item) ? item.map(convert) : isObject(item) ? apiShape(item) : item;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key.charAt(0).toLowerCase() + key.slice(1), convert(item)]),
  );
}
