import type { DiagramNode, FlowDiagram, QueueDepth } from '../src/activity/activity-types.ts';
import { create, element } from './dom.ts';

/**
 * The architecture diagram the local cloud derives from its templates: a column per kind of
 * resource, the connections drawn as curves behind the boxes, lit as activity passes.
 */
const LIT_MS = 900;
let diagram: FlowDiagram | undefined;

function box(node: DiagramNode, kind: string, extra: (Node | string)[] = []): HTMLElement {
  return create('li', { className: `box ${kind}`, attrs: { 'data-node': node.id } }, [
    create('span', { className: 'box-label', text: node.label }),
    ...(node.detail ? [create('span', { className: 'box-detail', text: node.detail })] : []),
    ...extra,
  ]);
}

function column(
  title: string,
  groups: { heading?: string; items: HTMLElement[] }[],
  className = '',
): HTMLElement {
  return create('div', { className: `column ${className}` }, [
    create('h3', { text: title }),
    ...groups.flatMap((group) => [
      ...(group.heading ? [create('h4', { text: group.heading })] : []),
      create('ul', { className: 'boxes' }, group.items),
    ]),
  ]);
}

function queueBox(queue: FlowDiagram['queues'][number]): HTMLElement {
  return box(queue, 'queue', [
    create('span', { className: 'depth', attrs: { 'data-depth': queue.id } }, ['depth 0']),
    ...(queue.dlqName
      ? [create('span', { className: 'dlq', attrs: { 'data-dlq': queue.id } }, ['DLQ 0'])]
      : []),
  ]);
}

export function renderDiagram(flow: FlowDiagram): void {
  diagram = flow;
  const services = [...new Set(flow.functions.map((fn) => fn.detail ?? ''))];
  const container = element('diagram');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.classList.add('edges');
  svg.setAttribute('aria-hidden', 'true');
  container.replaceChildren(
    svg,
    column('HTTP API', [{ items: flow.routes.map((route) => box(route, 'route')) }]),
    column(
      'Functions',
      services.map((service) => ({
        heading: service,
        items: flow.functions
          .filter((fn) => (fn.detail ?? '') === service)
          .map((fn) => box({ ...fn, detail: '' }, 'fn')),
      })),
    ),
    column('Queues', [{ items: flow.queues.map(queueBox) }]),
    column(
      'Workflow',
      flow.workflows.map((workflow) => ({
        heading: workflow.label,
        items: workflow.states.map((state) => box(state, 'state')),
      })),
      'workflow',
    ),
    column('Data and events', [
      { heading: 'Tables', items: flow.tables.map((table) => box(table, 'table')) },
      { heading: 'Bus and stream', items: [...flow.buses, ...flow.streams].map((node) => box(node, 'bus')) },
    ]),
  );
  const nodes = flow.routes.length + flow.functions.length + flow.queues.length + flow.tables.length;
  container.setAttribute('aria-label', `Architecture diagram: ${nodes} resources read from the templates`);
  drawEdges();
}

/** Connections as curves behind the boxes, recomputed when the layout changes. */
export function drawEdges(): void {
  const container = element('diagram');
  const svg = container.querySelector('svg');
  if (!svg || !diagram) return;
  const origin = container.getBoundingClientRect();
  svg.setAttribute('width', String(container.scrollWidth));
  svg.setAttribute('height', String(container.scrollHeight));
  const paths: SVGPathElement[] = [];
  for (const edge of diagram.edges) {
    const from = container.querySelector(`[data-node="${CSS.escape(edge.from)}"]`);
    const to = container.querySelector(`[data-node="${CSS.escape(edge.to)}"]`);
    if (!from || !to) continue;
    const a = from.getBoundingClientRect();
    const b = to.getBoundingClientRect();
    const forward = b.left >= a.right;
    const x1 = (forward ? a.right : a.left) - origin.left;
    const x2 = (forward ? b.left : b.right) - origin.left;
    const y1 = a.top + a.height / 2 - origin.top;
    const y2 = b.top + b.height / 2 - origin.top;
    const bend = Math.max(30, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
    const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
    path.dataset.from = edge.from;
    path.dataset.to = edge.to;
    path.setAttribute('d', `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`);
    paths.push(path);
  }
  svg.replaceChildren(...paths);
}

export function diagramShown(): boolean {
  return diagram !== undefined;
}

export function light(nodes: string[], failed: boolean): void {
  const container = element('diagram');
  const lit = new Set(nodes);
  const targets = [
    ...nodes.map((node) => container.querySelector(`[data-node="${CSS.escape(node)}"]`)),
    ...[...container.querySelectorAll<SVGPathElement>('path')].filter(
      (path) => lit.has(path.dataset.from ?? '') && lit.has(path.dataset.to ?? ''),
    ),
  ];
  for (const target of targets) {
    if (!target) continue;
    target.classList.remove('lit', 'failed');
    // Restarts the highlight when activity passes again before it faded.
    void (target as HTMLElement).offsetWidth;
    target.classList.add(failed ? 'failed' : 'lit');
    window.setTimeout(() => target.classList.remove('lit', 'failed'), LIT_MS);
  }
}

export function showDepths(queues: Record<string, QueueDepth>): void {
  for (const [name, depth] of Object.entries(queues)) {
    const id = `queue:${name}`;
    const depthLabel = document.querySelector(`[data-depth="${CSS.escape(id)}"]`);
    if (depthLabel) {
      depthLabel.textContent = `depth ${depth.visible}${depth.inFlight ? ` (+${depth.inFlight} in flight)` : ''}`;
    }
    const dlqLabel = document.querySelector(`[data-dlq="${CSS.escape(id)}"]`);
    if (dlqLabel && depth.dlq !== undefined) {
      dlqLabel.textContent = `DLQ ${depth.dlq}`;
      dlqLabel.classList.toggle('alarm', depth.dlq > 0);
    }
  }
}
