import type { HttpApi } from '../apigateway/http-api.ts';
import type { LogEntry, LogSink } from '../contracts.ts';
import type { EventBridgeService } from '../eventbridge/event-bridge-service.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import type { SqsEventSource } from '../sqs/event-source-mapping.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import type { Activity, OrderLogLine } from '../ui/flow-types.ts';
import { type DiagramIndex, nodeId } from './flow-diagram.ts';

/**
 * The local cloud's activity, for the flow page: an in-process emitter fed by the listeners the
 * parts already offer (API requests, invocations, SQS batches, bus events, workflow states) and by
 * the log sink, whose entries it keeps (a bounded ring) to show one order's correlated lines.
 */
export interface ActivityFeed {
  /** Wraps the cloud's log sink: every entry still reaches `sink`, and is kept for the order panel. */
  logSink(sink: LogSink): LogSink;
  /** Subscribes to the running parts; call once they all exist. */
  attach(parts: ActivitySources): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: (activity: Activity) => void): () => void;
  /** Called with the id of an order something just happened to (a log line, an event, a state). */
  onOrderTouched(listener: (orderId: string) => void): () => void;
  /** The kept log lines of one order: those of its correlation ids, and those that name it. */
  logsFor(orderId: string): OrderLogLine[];
  stop(): void;
}

export interface ActivitySources {
  index: DiagramIndex;
  api: HttpApi;
  lambda: LambdaRuntime;
  eventSources: Map<string, SqsEventSource>;
  eventBridge: EventBridgeService;
  stepFunctions: StepFunctionsService;
}

/** The orders service's ids (`ord_` and a ULID, see libs/shared ids.ts), wherever they appear. */
const ORDER_ID = /\bord_[0-9A-Z]{26}\b/;
const KEPT_LOG_ENTRIES = 5_000;

export function createActivityFeed(): ActivityFeed {
  const listeners = new Set<(activity: Activity) => void>();
  const touchedListeners = new Set<(orderId: string) => void>();
  const unsubscribers: (() => void)[] = [];
  const entries: LogEntry[] = [];
  const correlationIdsByOrder = new Map<string, Set<string>>();
  let shortName = (name: string) => name;

  const touch = (orderId: string | undefined) => {
    if (!orderId) return;
    for (const listener of touchedListeners) listener(orderId);
  };
  const pulse = (
    nodes: (string | undefined)[],
    text: string,
    extra: { failed?: boolean; orderId?: string } = {},
  ) => {
    const activity: Activity = {
      kind: 'pulse',
      nodes: nodes.filter((node): node is string => node !== undefined),
      text,
      ...(extra.failed ? { failed: true } : {}),
      ...(extra.orderId ? { orderId: extra.orderId } : {}),
      time: new Date().toISOString(),
    };
    for (const listener of listeners) listener(activity);
    touch(extra.orderId);
  };

  const keep = (entry: LogEntry) => {
    if (entry.level === 'DEBUG') return;
    entries.push(entry);
    if (entries.length > KEPT_LOG_ENTRIES) entries.splice(0, entries.length - KEPT_LOG_ENTRIES);
    const orderId = orderIdIn(entry.fields?.orderId) ?? orderIdIn(entry.message);
    if (orderId && entry.correlationId) {
      const known = correlationIdsByOrder.get(orderId);
      if (known) known.add(entry.correlationId);
      else {
        correlationIdsByOrder.set(orderId, new Set([entry.correlationId]));
        // Orders older than the kept lines have nothing left to show: forget the oldest first.
        const oldest = correlationIdsByOrder.keys().next().value;
        if (correlationIdsByOrder.size > KEPT_LOG_ENTRIES && oldest) correlationIdsByOrder.delete(oldest);
      }
    }
    touch(orderId);
  };

  return {
    logSink(sink) {
      return (entry) => {
        sink(entry);
        try {
          keep(entry);
        } catch {
          // The page's bookkeeping must never take the log down with it.
        }
      };
    },

    attach({ index, api, lambda, eventSources, eventBridge, stepFunctions }) {
      const tablesOf = (node: string) =>
        index.targetsOf(node).filter((target) => target.startsWith('table:'));
      const short = index.shortName;
      shortName = short;

      unsubscribers.push(
        api.onRequest((request) =>
          pulse(
            [request.routeKey ? nodeId.route(request.routeKey) : undefined],
            `${request.method} ${request.path} → ${request.statusCode}`,
            { failed: request.statusCode >= 500, ...orderOf(request.path) },
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
        eventBridge.onEvent(({ bus, event, matchedRules }) => {
          const busNode = index.nodeOf(bus) ?? nodeId.bus(bus);
          const targets = index.targetsOf(busNode);
          pulse(
            [busNode, ...(matchedRules.length > 0 ? targets : [])],
            `${event['detail-type']} on ${short(bus)} → ${matchedRules.length} rule(s)`,
            orderOf(JSON.stringify(event.detail)),
          );
        }),
        stepFunctions.onEvent((event) => {
          const workflow = nodeId.workflow(event.stateMachineName);
          const order = orderOf(event.executionName);
          if (event.kind === 'execution') {
            pulse([workflow], `${short(event.stateMachineName)} ${event.executionName} ${event.status}`, {
              failed: event.status !== 'RUNNING' && event.status !== 'SUCCEEDED',
              ...order,
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
            { failed: event.type === 'StateFailed', ...order },
          );
        }),
      );
      for (const source of eventSources.values()) {
        unsubscribers.push(
          source.onBatch((batch) => {
            const queueName = short(batch.queueArn.split(':').at(-1) ?? batch.queueArn);
            pulse(
              [index.nodeOf(batch.queueArn), nodeId.fn(batch.functionName)],
              `${queueName} → ${short(batch.functionName)}: ${batch.messageIds.length} message(s), ${batch.outcome}`,
              { failed: batch.outcome !== 'success' },
            );
          }),
        );
      }
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    onOrderTouched(listener) {
      touchedListeners.add(listener);
      return () => touchedListeners.delete(listener);
    },

    logsFor(orderId) {
      const correlationIds = correlationIdsByOrder.get(orderId) ?? new Set<string>();
      // Entries arrive as workers flush their output: in time order per function, not across them.
      return entries
        .filter(
          (entry) =>
            (entry.correlationId !== undefined && correlationIds.has(entry.correlationId)) ||
            entry.message.includes(orderId) ||
            entry.fields?.orderId === orderId,
        )
        .sort((a, b) => a.time.localeCompare(b.time))
        .map(({ time, level, source, message, correlationId }) => ({
          time,
          level,
          source: shortName(source),
          message,
          ...(correlationId ? { correlationId } : {}),
        }));
    },

    stop() {
      for (const unsubscribe of unsubscribers.splice(0)) unsubscribe();
      listeners.clear();
      touchedListeners.clear();
    },
  };
}

function orderIdIn(value: unknown): string | undefined {
  return typeof value === 'string' ? ORDER_ID.exec(value)?.[0] : undefined;
}

function orderOf(text: string): { orderId?: string } {
  const orderId = orderIdIn(text);
  return orderId ? { orderId } : {};
}
