import { readRouteAuthorizer, readUserPoolClient } from './identity-model.ts';
import type { TemplateResolver } from './intrinsics.ts';
import type { EventSourceMappingModel, LocalModel, RouteModel, RuleTargetModel } from './local-model.ts';

/** Names a function by its name or ARN; an ARN no local function has is an error. */
type FunctionNamer = (reference: string) => string;

/**
 * How a stack's template connects the resources every stack declares: bus rules and their targets,
 * scheduled rules, SQS event source mappings, HTTP routes with their authorizers, and user pools'
 * app clients. Read once every stack's resources are known, since a stack may wire another's. What
 * does not run locally (event sources other than SQS) goes to `model.notes`.
 */
export function readWiring(
  resolver: TemplateResolver,
  model: LocalModel,
  functionByArn: Map<string, string>,
): void {
  const functionName: FunctionNamer = (reference) => {
    if (!reference.startsWith('arn:')) return reference;
    const name = functionNameFromArn(reference, functionByArn);
    if (!name) throw new Error(`${resolver.stack.stackName}: no local function has the ARN ${reference}`);
    return name;
  };
  const wired = <Wiring>(wiring: Wiring | string | undefined, into: Wiring[]) => {
    if (typeof wiring === 'string') model.notes.push(wiring);
    else if (wiring) into.push(wiring);
  };
  for (const [logicalId, resource] of resolver.resources()) {
    switch (resource.Type) {
      case 'AWS::Events::Rule':
        readRule(resolver, logicalId, model);
        break;
      case 'AWS::Lambda::EventSourceMapping':
        wired(readEventSourceMapping(resolver, logicalId, functionName), model.eventSourceMappings);
        break;
      case 'AWS::ApiGatewayV2::Route':
        wired(readRoute(resolver, logicalId, functionName), model.routes);
        break;
      case 'AWS::Cognito::UserPoolClient':
        readUserPoolClient(resolver, logicalId, model.userPools);
        break;
      default:
        break;
    }
  }
}

/** The function an ARN names: plain, qualified by version or alias, or just a name. */
export function functionNameFromArn(arn: string, functionByArn: Map<string, string>): string | undefined {
  const exact = functionByArn.get(arn);
  if (exact) return exact;
  const match = /^(arn:aws:lambda:[^:]+:[^:]+:function:[^:]+)(?::.+)?$/.exec(arn);
  return match?.[1] ? functionByArn.get(match[1]) : undefined;
}

/**
 * An enabled rule: matched against its bus's events when it has an event pattern, run on its
 * schedule when it has a ScheduleExpression (either or both); a disabled one, nothing.
 */
function readRule(resolver: TemplateResolver, logicalId: string, model: LocalModel): void {
  const props = resolver.properties(logicalId);
  if (props.State === 'DISABLED') return;
  const identity = resolver.identity(logicalId);
  const busName = String(props.EventBusName ?? 'default').replace(/^arn:.*:event-bus\//, '');
  const targets = ((props.Targets ?? []) as Record<string, unknown>[]).map(readRuleTarget);
  if (props.EventPattern) {
    model.rules.push({
      name: identity.ref,
      busName,
      pattern: props.EventPattern as Record<string, unknown>,
      targets,
    });
  }
  if (props.ScheduleExpression !== undefined) {
    if (busName !== 'default') {
      throw new Error(
        `${resolver.stack.stackName}: ${logicalId} has a ScheduleExpression on event bus ${busName}; EventBridge runs schedules only on the default bus`,
      );
    }
    model.schedules.push({
      name: identity.ref,
      arn: String(identity.attributes.Arn),
      expression: resolver.resolveString(props.ScheduleExpression, `${logicalId}.ScheduleExpression`),
      targets,
    });
  }
}

function readRuleTarget(target: Record<string, unknown>): RuleTargetModel {
  const partitionKeyPath = (target.KinesisParameters as { PartitionKeyPath?: string } | undefined)
    ?.PartitionKeyPath;
  return {
    id: String(target.Id),
    arn: String(target.Arn),
    ...(target.Input !== undefined ? { input: String(target.Input) } : {}),
    ...(target.InputPath !== undefined ? { inputPath: String(target.InputPath) } : {}),
    ...(partitionKeyPath ? { kinesisPartitionKeyPath: partitionKeyPath } : {}),
  };
}

/** An SQS event source, enabled or not (the Lambda API may enable it); another source is a note. */
function readEventSourceMapping(
  resolver: TemplateResolver,
  logicalId: string,
  functionName: FunctionNamer,
): EventSourceMappingModel | string {
  const props = resolver.properties(logicalId);
  const source = String(props.EventSourceArn);
  if (!source.startsWith('arn:aws:sqs:'))
    return `${logicalId}: only SQS event sources run locally (${source})`;
  const identity = resolver.identity(logicalId);
  return {
    uuid: identity.ref,
    arn: String(identity.attributes.EventSourceMappingArn),
    enabled: props.Enabled !== false,
    functionName: functionName(String(props.FunctionName)),
    queueArn: source,
    batchSize: Number(props.BatchSize ?? 10),
    maximumBatchingWindowSeconds: Number(props.MaximumBatchingWindowInSeconds ?? 0),
    reportBatchItemFailures: ((props.FunctionResponseTypes ?? []) as string[]).includes(
      'ReportBatchItemFailures',
    ),
    ...((props.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency
      ? {
          maximumConcurrency: (props.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
        }
      : {}),
  };
}

/** A route to a Lambda integration, with its authorizer; a route without one is a note. */
function readRoute(
  resolver: TemplateResolver,
  logicalId: string,
  functionName: FunctionNamer,
): RouteModel | string {
  const props = resolver.properties(logicalId);
  const target = String(props.Target ?? '');
  const integrationId = target.replace(/^integrations\//, '');
  const integration = resolver.stack.template.Resources[integrationId];
  if (integration?.Type !== 'AWS::ApiGatewayV2::Integration') {
    return `${logicalId}: route ${String(props.RouteKey)} has no Lambda integration`;
  }
  const uri = resolver.resolveString(resolver.properties(integrationId).IntegrationUri, 'IntegrationUri');
  const authorizer = readRouteAuthorizer(resolver, logicalId, props);
  return {
    routeKey: String(props.RouteKey),
    functionName: functionName(uri),
    ...(authorizer ? { authorizer } : {}),
  };
}
