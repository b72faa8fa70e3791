import type { LocalModel } from '../template/local-model.ts';
import type {
  DiagramEdge,
  DiagramNode,
  DiagramQueue,
  DiagramWorkflow,
  FlowDiagram,
} from './activity-types.ts';

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
  const prefix = commonPrefix([
    ...model.functions.map((fn) => fn.name),
    ...model.queues.map((queue) => queue.name),
    ...model.tables.map((table) => table.name),
  ]);
  const short = (name: string) =>
    name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;

  // A dead-letter queue is shown inside its queue's box: anything that names it lands there.
  const dlqOf = new Map<string, string>();
  for (const queue of model.queues) {
    const redrive = queue.attributes.RedrivePolicy;
    if (!redrive) continue;
    const target = (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    const dlq = model.queues.find((candidate) => candidate.arn === target);
    if (dlq) dlqOf.set(queue.name, dlq.name);
  }
  const queueOfDlq = new Map([...dlqOf].map(([queue, dlq]) => [dlq, queue]));

  const byReference = new Map<string, string>();
  const remember = (id: string, ...references: string[]) => {
    for (const reference of references) byReference.set(reference, id);
  };
  for (const table of model.tables) remember(nodeId.table(table.name), table.name);
  for (const queue of model.queues) {
    remember(nodeId.queue(queueOfDlq.get(queue.name) ?? queue.name), queue.name, queue.arn, queue.url);
  }
  for (const bus of model.buses) remember(nodeId.bus(bus.name), bus.name, bus.arn);
  for (const stream of model.streams) remember(nodeId.stream(stream.name), stream.name, stream.arn);
  for (const machine of model.stateMachines)
    remember(nodeId.workflow(machine.name), machine.name, machine.arn);
  for (const fn of model.functions) remember(nodeId.fn(fn.name), fn.name, fn.arn);

  const edges: DiagramEdge[] = [];
  const addEdge = (from: string, to: string | undefined) => {
    if (to && from !== to && !edges.some((edge) => edge.from === from && edge.to === to))
      edges.push({ from, to });
  };

  const routes: DiagramNode[] = model.routes.map((route) => {
    addEdge(nodeId.route(route.routeKey), nodeId.fn(route.functionName));
    return { id: nodeId.route(route.routeKey), label: route.routeKey, detail: short(route.functionName) };
  });
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

  const workflows: DiagramWorkflow[] = model.stateMachines.map((machine) => {
    const states = Object.entries(
      (machine.definition.States ?? {}) as Record<string, Record<string, unknown>>,
    );
    return {
      id: nodeId.workflow(machine.name),
      label: short(machine.name),
      states: states.map(([name, state]) => {
        const id = nodeId.state(machine.name, name);
        for (const reference of stringsIn([state.Resource, state.Parameters]))
          addEdge(id, byReference.get(reference));
        return { id, label: name, detail: String(state.Type) };
      }),
    };
  });

  // A function nothing invokes (a custom resource provider) runs at deployment only: not in the flow.
  const invoked = new Set(edges.filter((edge) => edge.to.startsWith('fn:')).map((edge) => edge.to));
  const functions: DiagramNode[] = model.functions
    .filter((fn) => invoked.has(nodeId.fn(fn.name)))
    .map((fn) => ({ id: nodeId.fn(fn.name), label: short(fn.name), detail: short(fn.stackName) }));

  const queues: DiagramQueue[] = model.queues
    .filter((queue) => !queueOfDlq.has(queue.name))
    .map((queue) => {
      const dlqName = dlqOf.get(queue.name);
      return { id: nodeId.queue(queue.name), label: short(queue.name), ...(dlqName ? { dlqName } : {}) };
    });

  const diagram: FlowDiagram = {
    routes,
    functions,
    queues,
    workflows,
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
    edges,
  };
  return {
    diagram,
    nodeOf: (reference) => byReference.get(reference),
    targetsOf: (node) => edges.filter((edge) => edge.from === node).map((edge) => edge.to),
    shortName: short,
  };
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
