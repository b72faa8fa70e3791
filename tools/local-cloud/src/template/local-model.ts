import type { ArchiveDefinition } from '../eventbridge/event-archive.ts';
import type { StateMachineSource } from '../stepfunctions/state-machines.ts';
import type { AssemblyStack } from './cloud-assembly.ts';
import {
  checkAuthorizerIssuers,
  type RouteAuthorizerModel,
  type SecretModel,
  type UserPoolModel,
} from './identity-model.ts';
import { type LocalEnvironment, TemplateResolver } from './intrinsics.ts';
import { readResources } from './resource-model.ts';
import { readWiring } from './wiring-model.ts';

export type {
  RouteAuthorizerModel,
  SecretModel,
  UserPoolClientModel,
  UserPoolModel,
} from './identity-model.ts';
export { UnsupportedAuthorizerError } from './identity-model.ts';
export { functionNameFromArn } from './wiring-model.ts';

/**
 * Everything the local cloud runs, learnt from the synthesized templates: tables, queues, the
 * stream, buses, rules and schedules, functions, their event sources, state machines, HTTP routes with their
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
  schedules: ScheduleModel[];
  archives: ArchiveModel[];
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

/** An event archive of a bus, for StartReplay. */
export type ArchiveModel = ArchiveDefinition;

export interface RuleTargetModel {
  id: string;
  arn: string;
  input?: string;
  inputPath?: string;
  kinesisPartitionKeyPath?: string;
}

export interface RuleModel {
  name: string;
  busName: string;
  pattern: Record<string, unknown>;
  targets: RuleTargetModel[];
}

/** An enabled rule with a ScheduleExpression, on the default bus (as it must be on AWS). */
export interface ScheduleModel {
  name: string;
  arn: string;
  /** `rate(...)` or `cron(...)`, as the template writes it; checked when EventBridge starts. */
  expression: string;
  targets: RuleTargetModel[];
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
  /** Lambda's id of the mapping, stable for where the template declares it; what its `Ref` is. */
  uuid: string;
  /** `arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>` */
  arn: string;
  /** False: declared with `Enabled: false`, so it does not poll until enabled through the Lambda API. */
  enabled: boolean;
  functionName: string;
  queueArn: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency?: number;
}

/** A state machine as the local Step Functions runs and describes it, read from the template. */
export interface StateMachineModel extends StateMachineSource {
  definition: Record<string, unknown>;
}

export interface RouteModel {
  routeKey: string;
  functionName: string;
  /** Absent: the route takes any request (`AuthorizationType: NONE`). */
  authorizer?: RouteAuthorizerModel;
}

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
    schedules: [],
    archives: [],
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
