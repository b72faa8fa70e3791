import type { HttpApi } from '../apigateway/http-api.ts';
import type { EventBridgeService } from '../eventbridge/event-bridge-service.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import type { SqsEventSource } from '../sqs/event-source-mapping.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import { type DiagramIndex, nodeId } from './flow-diagram.ts';

/** The running parts whose events the feed turns into activity. */
export interface ActivitySources {
  index: DiagramIndex;
  api: HttpApi;
  lambda: LambdaRuntime;
  eventSources: Map<string, SqsEventSource>;
  eventBridge: EventBridgeService;
  stepFunctions: StepFunctionsService;
}

/** Lights diagram boxes and says what happened: the boxes by id (undefined ones are skipped). */
export type Pulse = (
  nodes: (string | undefined)[],
  text: string,
  extra?: { failed?: boolean; subjectId?: string },
) => void;

/**
 * What each running part's events light on the diagram and say in the activity ticker: API
 * requests, invocations, code reloads, bus events, workflow states and SQS batches. `subjectOf` finds a
 * plugin's subject in a request path, an event's detail or an execution's name. Returns the
 * unsubscribe functions.
 */
export function listenToParts(
  parts: ActivitySources,
  pulse: Pulse,
  subjectOf: (text: string) => { subjectId?: string },
): (() => void)[] {
  const { index, api, lambda, eventSources, eventBridge } = parts;
  const short = index.shortName;
  const tablesOf = (node: string) => index.targetsOf(node).filter((target) => target.startsWith('table:'));
  return [
    api.onRequest((request) =>
      pulse(
        [request.routeKey ? nodeId.route(request.routeKey) : undefined],
        `${request.method} ${request.path} → ${request.statusCode}`,
        { failed: request.statusCode >= 500, ...subjectOf(request.path) },
      ),
    ),
    lambda.onInvocation((event) => {
      const fn = nodeId.fn(event.functionName);
      const name = short(event.functionName);
      if (event.type === 'start') pulse([fn], `${name} invoked${event.cold ? ' (cold start)' : ''}`);
      else
        pulse(
          [fn, ...(event.ok ? tablesOf(fn) : [])],
          `${name} ${event.ok ? 'returned' : `failed: ${event.errorType}`} in ${event.durationMs.toFixed(0)} ms`,
          { failed: !event.ok },
        );
    }),
    lambda.onCodeReload((event) =>
      pulse([nodeId.fn(event.functionName)], `${short(event.functionName)} runs new code`),
    ),
    eventBridge.onEvent(({ bus, event, matchedRules }) => {
      const busNode = index.nodeOf(bus) ?? nodeId.bus(bus);
      const targets = index.targetsOf(busNode);
      pulse(
        [busNode, ...(matchedRules.length > 0 ? targets : [])],
        `${event['detail-type']} on ${short(bus)} → ${matchedRules.length} rule(s)`,
        subjectOf(JSON.stringify(event.detail)),
      );
    }),
    listenToWorkflows(parts, pulse, subjectOf),
    ...[...eventSources.values()].map((source) =>
      source.onBatch((batch) => {
        const queueName = short(batch.queueArn.split(':').at(-1) ?? batch.queueArn);
        pulse(
          [index.nodeOf(batch.queueArn), nodeId.fn(batch.functionName)],
          `${queueName} → ${short(batch.functionName)}: ${batch.messageIds.length} message(s), ${batch.outcome}`,
          { failed: batch.outcome !== 'success' },
        );
      }),
    ),
  ];
}

/** Executions as they start and end, and their states as they are entered or fail. */
function listenToWorkflows(
  { index, stepFunctions }: ActivitySources,
  pulse: Pulse,
  subjectOf: (text: string) => { subjectId?: string },
): () => void {
  const short = index.shortName;
  return stepFunctions.onEvent((event) => {
    const workflow = nodeId.workflow(event.stateMachineName);
    const subject = subjectOf(event.executionName);
    if (event.kind === 'execution') {
      pulse([workflow], `${short(event.stateMachineName)} ${event.executionName} ${event.status}`, {
        failed: event.status !== 'RUNNING' && event.status !== 'SUCCEEDED',
        ...subject,
      });
      return;
    }
    if (event.type !== 'StateEntered' && event.type !== 'StateFailed') return;
    const state = nodeId.state(event.stateMachineName, event.stateName);
    // A Lambda task's function lights itself when it runs; the other integrations light here.
    const integrations = index.targetsOf(state).filter((target) => !target.startsWith('fn:'));
    pulse(
      [workflow, state, ...(event.type === 'StateEntered' ? integrations : [])],
      `${short(event.stateMachineName)} ${event.stateName} ${event.type === 'StateEntered' ? 'entered' : `failed: ${event.error}`}`,
      { failed: event.type === 'StateFailed', ...subject },
    );
  });
}
