import { functionNameFromArn, type LocalModel, type StateMachineModel } from '../template/local-model.ts';
import type { DiagramEdge, DiagramQueue, DiagramWorkflow, FlowDiagram } from './activity-types.ts';

/**
 * The flow page's diagram, read from the local model (so from the synthesized templates): every
 * route, wired function, queue with its DLQ, workflow state, table, bus and stream, and the
 * connections the templates declare. A resource's name, ARN or URL found in a function's
 * environment or a workflow state's parameters is a connection too: that is how a function learns
 * which table or queue it writes.
 */
export const nodeId = {
  route: (routeKey: string) => `route:${routeKey}`,
  fn: (name: string) => `fn:${name}`,
  queue: (name: string) => `queue:${name}`,
  workflow: (name: string) => `wf:${name}`,
  state: (machine: string, state: string) => `state:${machine}:${state}`,
  table: (name: string) => `table:${name}`,
  bus: (name: string) => `bus:${name}`,
  stream: (name: string) => `stream:${name}`,
};

export interface DiagramIndex {
  diagram: FlowDiagram;
  /** The box of a resource by any of its names, ARNs or URLs. */
  nodeOf(reference: string): string | undefined;
  /** Where a box leads: its edges' targets. */
  targetsOf(node: string): string[];
  /** A resource's name without the stage prefix every name shares, as the boxes show it. */
  shortName(name: string): string;
}

export function buildFlowDiagram(model: LocalModel): DiagramIndex {
  const short = shortNamer(model);
  const deadLetters = deadLetterQueues(model);
  const byReference = referenceIndex(model, deadLetters);
  const edges = declaredEdges(model, byReference);
  const diagram: FlowDiagram = { ...diagramBoxes(model, { deadLetters, edges, short }), edges };
  return {
    diagram,
    nodeOf: (reference) => byReference.get(reference),
    targetsOf: (node) => edges.filter((edge) => edge.from === node).map((edge) => edge.to),
    shortName: short,
  };
}

/** A name without the stage prefix every function, queue and table name shares. */
function shortNamer(model: LocalModel): (name: string) => string {
  const prefix = commonPrefix([
    ...model.functions.map((fn) => fn.name),
    ...model.queues.map((queue) => queue.name),
    ...model.tables.map((table) => table.name),
  ]);
  return (name) =>
    name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
}

/** Queues and the dead-letter queues their redrive policies name, both ways, by queue name. */
interface DeadLetterQueues {
  dlqOf: Map<string, string>;
  queueOfDlq: Map<string, string>;
}

function deadLetterQueues(model: LocalModel): DeadLetterQueues {
  const dlqOf = new Map<string, string>();
  for (const queue of model.queues) {
    const redrive = queue.attributes.RedrivePolicy;
    if (!redrive) continue;
    const target = (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    const dlq = model.queues.find((candidate) => candidate.arn === target);
    if (dlq) dlqOf.set(queue.name, dlq.name);
  }
  return { dlqOf, queueOfDlq: new Map([...dlqOf].map(([queue, dlq]) => [dlq, queue])) };
}

/** Every resource's box by its names, ARNs and URLs. */
function referenceIndex(model: LocalModel, { queueOfDlq }: DeadLetterQueues): Map<string, string> {
  const byReference = new Map<string, string>();
  const remember = (id: string, ...references: string[]) => {
    for (const reference of references) byReference.set(reference, id);
  };
  for (const table of model.tables) remember(nodeId.table(table.name), table.name);
  // A dead-letter queue is shown inside its queue's box: anything that names it lands there.
  for (const queue of model.queues) {
    remember(nodeId.queue(queueOfDlq.get(queue.name) ?? queue.name), queue.name, queue.arn, queue.url);
  }
  for (const bus of model.buses) remember(nodeId.bus(bus.name), bus.name, bus.arn);
  for (const stream of model.streams) remember(nodeId.stream(stream.name), stream.name, stream.arn);
  for (const machine of model.stateMachines)
    remember(nodeId.workflow(machine.name), machine.name, machine.arn);
  for (const fn of model.functions) remember(nodeId.fn(fn.name), fn.name, fn.arn);
  return byReference;
}

/**
 * The connections, once each and never a box to itself: route → function, queue → function, rule's
 * bus → target, and function or workflow state → whatever its environment or parameters name.
 */
function declaredEdges(model: LocalModel, byReference: Map<string, string>): DiagramEdge[] {
  const edges: DiagramEdge[] = [];
  const addEdge = (from: string, to: string | undefined) => {
    if (to && from !== to && !edges.some((edge) => edge.from === from && edge.to === to))
      edges.push({ from, to });
  };
  for (const route of model.routes) addEdge(nodeId.route(route.routeKey), nodeId.fn(route.functionName));
  for (const mapping of model.eventSourceMappings) {
    addEdge(
      byReference.get(mapping.queueArn) ?? nodeId.queue(mapping.queueArn),
      nodeId.fn(mapping.functionName),
    );
  }
  for (const rule of model.rules) {
    const bus = model.buses.find((candidate) => candidate.name === rule.busName);
    for (const target of rule.targets)
      addEdge(nodeId.bus(bus?.name ?? rule.busName), byReference.get(target.arn));
  }
  for (const fn of model.functions) {
    for (const value of Object.values(fn.environment)) addEdge(nodeId.fn(fn.name), byReference.get(value));
  }
  for (const machine of model.stateMachines) {
    for (const [name, state] of statesOf(machine)) {
      for (const reference of stringsIn([state.Resource, state.Parameters]))
        addEdge(nodeId.state(machine.name, name), byReference.get(reference));
    }
  }
  return edges;
}

/** The boxes, labelled with their short names; a dead-letter queue is inside its queue's box. */
function diagramBoxes(
  model: LocalModel,
  {
    deadLetters,
    edges,
    short,
  }: { deadLetters: DeadLetterQueues; edges: DiagramEdge[]; short: (name: string) => string },
): Omit<FlowDiagram, 'edges'> {
  // A function nothing invokes (a custom resource provider) runs at deployment only: not in the flow.
  // A schedule invokes its target functions, though no box stands for it.
  const functionByArn = new Map(model.functions.map((fn) => [fn.arn, fn.name]));
  const scheduled = model.schedules.flatMap((schedule) =>
    schedule.targets.flatMap((target) => {
      const name = functionNameFromArn(target.arn, functionByArn);
      return name ? [nodeId.fn(name)] : [];
    }),
  );
  const invoked = new Set([
    ...edges.filter((edge) => edge.to.startsWith('fn:')).map((edge) => edge.to),
    ...scheduled,
  ]);
  return {
    routes: model.routes.map((route) => ({
      id: nodeId.route(route.routeKey),
      label: route.routeKey,
      detail: short(route.functionName),
    })),
    functions: model.functions
      .filter((fn) => invoked.has(nodeId.fn(fn.name)))
      .map((fn) => ({ id: nodeId.fn(fn.name), label: short(fn.name), detail: short(fn.stackName) })),
    queues: model.queues
      .filter((queue) => !deadLetters.queueOfDlq.has(queue.name))
      .map((queue): DiagramQueue => {
        const dlqName = deadLetters.dlqOf.get(queue.name);
        return { id: nodeId.queue(queue.name), label: short(queue.name), ...(dlqName ? { dlqName } : {}) };
      }),
    workflows: model.stateMachines.map(
      (machine): DiagramWorkflow => ({
        id: nodeId.workflow(machine.name),
        label: short(machine.name),
        states: statesOf(machine).map(([name, state]) => ({
          id: nodeId.state(machine.name, name),
          label: name,
          detail: String(state.Type),
        })),
      }),
    ),
    tables: model.tables.map((table) => ({ id: nodeId.table(table.name), label: short(table.name) })),
    buses: model.buses.map((bus) => ({
      id: nodeId.bus(bus.name),
      label: short(bus.name),
      detail: 'EventBridge bus',
    })),
    streams: model.streams.map((stream) => ({
      id: nodeId.stream(stream.name),
      label: short(stream.name),
      detail: 'Kinesis stream',
    })),
  };
}

/** A state machine's states by name, as its definition declares them. */
function statesOf(machine: StateMachineModel): [string, Record<string, unknown>][] {
  return Object.entries((machine.definition.States ?? {}) as Record<string, Record<string, unknown>>);
}

/** The longest prefix ending in `-` that every name shares (the stage's, e.g. `serverless-commerce-local-`). */
function commonPrefix(names: string[]): string {
  if (names.length < 2) return '';
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix.slice(0, prefix.lastIndexOf('-') + 1);
}

/** Every string inside a JSON value, deep. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsIn);
  return [];
}
