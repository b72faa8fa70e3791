import { COMMANDS, type CommandDefinition } from '@shop/contracts/commands';
import { EVENTS, type EventDefinition } from '@shop/contracts/events';
import type { SynthesizedResource } from './synthesized-app.ts';

/**
 * What the API documents say about the deployed system, read from the synthesized templates of a
 * personal stage: the HTTP API's routes and authorizer, and where each message travels (the bus, the
 * queues the rules feed and who consumes them, the stream). Names carry `<stage>` for the stage.
 */
export interface ApiModel {
  /** Route keys with their authorization type (`JWT` or `NONE`), `$default` apart. */
  readonly routes: readonly { key: string; authorization: string }[];
  readonly hasDefaultRoute: boolean;
  /** Where the JWT authorizer reads the token: `$request.header.Authorization`. */
  readonly tokenSource: string;
  readonly busName: string;
  readonly streamName: string;
  /** Every rule on the bus that feeds a queue, with the events its pattern names. */
  readonly subscriptions: readonly Subscription[];
  /** The queue of each command, and the function that consumes it. */
  readonly commandQueues: readonly CommandQueue[];
}

export interface Subscription {
  readonly ruleName: string;
  readonly queueName: string;
  readonly consumer: string;
  readonly events: readonly EventDefinition[];
}

export interface CommandQueue {
  readonly command: CommandDefinition;
  readonly queueName: string;
  readonly consumer: string;
}

type Properties = Readonly<Record<string, unknown>>;

export function readApiModel(resources: readonly SynthesizedResource[]): ApiModel {
  const personal = resources.filter((resource) => resource.stage === 'personal');
  const ofType = (type: string) => personal.filter((resource) => resource.type === type);
  const named = (type: string, stack?: string) =>
    ofType(type).filter((resource) => stack === undefined || resource.stack === stack);
  const one = (type: string) => {
    const [only, ...others] = ofType(type);
    if (!only || others.length > 0) throw new Error(`Expected one ${type} in the personal stage's templates`);
    return only;
  };

  const routes = ofType('AWS::ApiGatewayV2::Route').map((route) => ({
    key: route.properties.RouteKey as string,
    authorization: route.properties.AuthorizationType as string,
  }));
  const authorizer = one('AWS::ApiGatewayV2::Authorizer').properties;
  const queueByLogicalId = (stack: string, logicalId: string) =>
    named('AWS::SQS::Queue', stack).find((queue) => queue.logicalId === logicalId);
  const consumerOf = (queue: SynthesizedResource) => {
    const mapping = named('AWS::Lambda::EventSourceMapping', queue.stack).find(
      (candidate) => refOf(candidate.properties.EventSourceArn) === queue.logicalId,
    );
    const fn = named('AWS::Lambda::Function', queue.stack).find(
      (candidate) => candidate.logicalId === refOf(mapping?.properties.FunctionName),
    );
    if (!fn?.physicalName) throw new Error(`No function consumes the queue ${queue.physicalName}`);
    return fn.physicalName;
  };

  const subscriptions = ofType('AWS::Events::Rule').flatMap((rule): Subscription[] => {
    // A schedule carries no message of the contracts: EventBridge's own Scheduled Event.
    if (rule.properties.ScheduleExpression !== undefined) return [];
    const targets = (rule.properties.Targets ?? []) as Properties[];
    const queue = targets
      .map((target) => queueByLogicalId(rule.stack, refOf(target.Arn) ?? ''))
      .find((candidate) => candidate !== undefined);
    if (!queue) {
      // The stream's rule is the eventStream channel; any other target is one the documents lack.
      const toStream = targets.some((target) =>
        named('AWS::Kinesis::Stream', rule.stack).some((stream) => stream.logicalId === refOf(target.Arn)),
      );
      if (toStream) return [];
      throw new Error(
        `The rule ${rule.physicalName ?? rule.logicalId} targets neither a queue of its stack nor the stream: ` +
          'the AsyncAPI document has no channel for it (tools/docs-checks/src/api-model.ts)',
      );
    }
    return [
      {
        ruleName: rule.physicalName ?? rule.logicalId,
        queueName: queue.physicalName ?? queue.logicalId,
        consumer: consumerOf(queue),
        events: eventsMatching(
          rule.properties.EventPattern as Properties,
          rule.physicalName ?? rule.logicalId,
        ),
      },
    ];
  });

  const commandQueues = Object.values(COMMANDS).map((command): CommandQueue => {
    const queue = ofType('AWS::SQS::Queue').find((candidate) =>
      candidate.physicalName?.endsWith(`-${command.queue}`),
    );
    if (!queue) {
      throw new Error(`${command.type} goes to the queue ${command.queue}, which no template creates`);
    }
    return { command, queueName: queue.physicalName ?? queue.logicalId, consumer: consumerOf(queue) };
  });

  return {
    routes: routes.filter((route) => route.key !== '$default'),
    hasDefaultRoute: routes.some((route) => route.key === '$default'),
    tokenSource: ((authorizer.IdentitySource as string[] | undefined) ?? []).join(', '),
    busName: one('AWS::Events::EventBus').physicalName ?? '',
    streamName: one('AWS::Kinesis::Stream').physicalName ?? '',
    subscriptions,
    commandQueues,
  };
}

/**
 * The events of the contracts a rule's pattern matches on `source` and `detail-type` (lists of
 * names, or `$or` of such patterns); anything richer is refused by name rather than read wrong.
 */
function eventsMatching(pattern: Properties, ruleName: string): EventDefinition[] {
  const alternatives = pattern.$or as Properties[] | undefined;
  if (alternatives) {
    const matched = new Set(alternatives.flatMap((alternative) => eventsMatching(alternative, ruleName)));
    return Object.values(EVENTS).filter((event) => matched.has(event));
  }
  const names = (field: string) => {
    const values = pattern[field] as unknown[] | undefined;
    if (values?.some((value) => typeof value !== 'string')) {
      throw new Error(
        `The rule ${ruleName} matches ${field} with ${JSON.stringify(values)}: the API documents read lists of names only`,
      );
    }
    return values as string[] | undefined;
  };
  const sources = names('source');
  const types = names('detail-type');
  const unknown = (types ?? []).filter((type) => !(type in EVENTS));
  if (unknown.length > 0)
    throw new Error(`The rule ${ruleName} matches detail-types no contract defines: ${unknown.join(', ')}`);
  return Object.values(EVENTS).filter(
    (event) =>
      (sources === undefined || sources.includes(event.source)) &&
      (types === undefined || types.includes(event.type)),
  );
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function refOf(value: unknown): string | undefined {
  const reference = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return reference?.Ref ?? reference?.['Fn::GetAtt']?.[0];
}
