import type {
  Activity,
  DiagramNode,
  FlowDiagram,
  FlowSnapshot,
  OrderDetails,
  OrderSummary,
  PageCustomer,
  QueueDepth,
} from '../src/ui/flow-types.ts';

/**
 * The flow page: draws the diagram the local cloud derives from its templates, then follows the
 * server-sent activity stream. It never polls: the server pushes activity, queue depths and order
 * changes; the page asks for an order's details only when that order is selected or moves.
 */

const LIT_MS = 900;
const TICKER_LINES = 12;

const orders = new Map<string, OrderSummary>();
let selected: string | undefined;
let detailsTimer: number | undefined;
let diagram: FlowDiagram | undefined;
let customer: Promise<PageCustomer> | undefined;

const element = <T extends HTMLElement>(id: string) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}`);
  return found as T;
};

function create<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

// ---- The page's customer ----------------------------------------------------------------------

/** The test customer the local cloud signs in for this page; its orders are placed with its token. */
function signIn(renew = false): Promise<PageCustomer> {
  if (!customer || renew) {
    customer = fetch('/_local/customer', { method: 'POST' }).then(async (response) => {
      if (!response.ok) throw new Error(`signing in answered ${response.status}`);
      const signedIn = (await response.json()) as PageCustomer;
      element('customer').textContent = `Signed in as ${signedIn.email}`;
      return signedIn;
    });
    customer.catch(() => {
      customer = undefined;
    });
  }
  return customer;
}

/** A call to the API as the page's customer; an expired token is renewed once. */
async function callApi(path: string, init: RequestInit = {}): Promise<Response> {
  const send = async (renew: boolean) => {
    const { accessToken } = await signIn(renew);
    return fetch(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${accessToken}` },
    });
  };
  const response = await send(false);
  return response.status === 401 ? send(true) : response;
}

// ---- Diagram ---------------------------------------------------------------------------------

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

function renderDiagram(flow: FlowDiagram): void {
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
    column('Queues', [
      {
        items: flow.queues.map((queue) =>
          box(queue, 'queue', [
            create('span', { className: 'depth', attrs: { 'data-depth': queue.id } }, ['depth 0']),
            ...(queue.dlqName
              ? [create('span', { className: 'dlq', attrs: { 'data-dlq': queue.id } }, ['DLQ 0'])]
              : []),
          ]),
        ),
      },
    ]),
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
function drawEdges(): void {
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

function light(nodes: string[], failed: boolean): void {
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

function showDepths(queues: Record<string, QueueDepth>): void {
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

function addTicker(text: string, failed: boolean, time: string): void {
  const ticker = element('ticker');
  ticker.prepend(
    create('li', { className: failed ? 'failed' : '' }, [
      create('time', { text: time.slice(11, 19), attrs: { datetime: time } }),
      ` ${text}`,
    ]),
  );
  while (ticker.children.length > TICKER_LINES) ticker.lastElementChild?.remove();
}

// ---- Orders ----------------------------------------------------------------------------------

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

function paymentText(order: OrderSummary): string {
  const { payment } = order;
  const attempts = `${payment.attempts} attempt${payment.attempts === 1 ? '' : 's'}`;
  return [payment.method.replace('_', ' '), payment.status.toLowerCase(), attempts, payment.reason]
    .filter(Boolean)
    .join(' · ');
}

function orderRow(order: OrderSummary): HTMLTableRowElement {
  const select = create('button', {
    className: 'link-button',
    text: order.orderId,
    attrs: { type: 'button', 'aria-pressed': String(order.orderId === selected) },
  });
  select.addEventListener('click', () => selectOrder(order.orderId));
  const invoice = order.invoiceId
    ? create('a', {
        text: 'Invoice',
        // The API's GET /invoices, asked as the page's customer by the local cloud (a link cannot carry a token).
        attrs: {
          href: `/_local/invoices/${order.invoiceId}`,
          'aria-label': `Invoice of order ${order.orderId}`,
        },
      })
    : create('span', { className: 'muted', text: '—' });
  const actions: HTMLElement[] = [invoice];
  if (order.payment.method === 'bank_transfer' && order.status === 'PENDING_PAYMENT') {
    const confirm = create('button', { text: 'Confirm transfer', attrs: { type: 'button' } });
    confirm.addEventListener('click', () => confirmTransfer(order.orderId, confirm));
    actions.push(confirm);
  }
  return create('tr', { attrs: { 'data-order-id': order.orderId } }, [
    create('td', {}, [
      select,
      create('span', { className: 'muted amount', text: money(order.total, order.currency) }),
    ]),
    create('td', {}, [
      create('span', {
        className: `status status-${order.status.toLowerCase()}`,
        text: order.status,
        attrs: { 'data-status': order.status },
      }),
    ]),
    create('td', { className: 'payment', text: paymentText(order) }),
    create('td', { className: 'actions' }, actions),
  ]);
}

function renderOrders(): void {
  const sorted = [...orders.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 25);
  element('orders').replaceChildren(...sorted.map(orderRow));
  element('no-orders').hidden = sorted.length > 0;
}

function upsertOrder(order: OrderSummary): void {
  const known = orders.get(order.orderId);
  if (known && (known.updatedAt ?? '') > (order.updatedAt ?? '')) return;
  orders.set(order.orderId, order);
  renderOrders();
  if (order.orderId === selected) scheduleDetails();
}

/** The local cloud plays the bank: it pays the order's total with a signed webhook. */
async function confirmTransfer(orderId: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const response = await fetch('/_local/bank/transfers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId }),
    });
    setFormStatus(
      response.ok
        ? `The bank confirmed the transfer for ${orderId}`
        : `The webhook refused the transfer for ${orderId}: ${response.status}`,
      !response.ok,
    );
  } finally {
    button.disabled = false;
  }
}

// ---- Details ---------------------------------------------------------------------------------

function selectOrder(orderId: string): void {
  selected = orderId;
  renderOrders();
  element('details-title').textContent = `Order ${orderId}`;
  loadDetails();
}

function scheduleDetails(): void {
  if (detailsTimer !== undefined) return;
  // Activity comes in bursts: one fetch per burst is enough.
  detailsTimer = window.setTimeout(() => {
    detailsTimer = undefined;
    loadDetails();
  }, 300);
}

async function loadDetails(): Promise<void> {
  if (!selected) return;
  const orderId = selected;
  const response = await fetch(`/_local/orders/${encodeURIComponent(orderId)}`);
  if (!response.ok || orderId !== selected) return;
  const details = (await response.json()) as OrderDetails;
  element('details-empty').hidden = true;
  element('details-body').hidden = false;
  element('log-lines').replaceChildren(
    ...(details.logs.length === 0
      ? [create('li', { className: 'muted', text: 'No log lines kept for this order.' })]
      : details.logs.map((line) =>
          create('li', { className: `level-${line.level.toLowerCase()}` }, [
            create('time', { text: line.time.slice(11, 23), attrs: { datetime: line.time } }),
            create('span', { className: 'level', text: line.level }),
            create('span', { className: 'source', text: line.source }),
            create('span', { text: line.message }),
          ]),
        )),
  );
  element('history-title').textContent = details.execution
    ? `Workflow history: ${details.execution.stateMachine} (${details.execution.status})`
    : 'Workflow history';
  element('history').replaceChildren(
    ...(details.execution
      ? details.execution.history.map((event) =>
          create('li', { className: event.error ? 'failed' : '' }, [
            create('span', { className: 'event-type', text: event.type }),
            ` ${event.name ?? ''}${event.error ? ` ${event.error}` : ''}`,
          ]),
        )
      : [create('li', { className: 'muted', text: 'No workflow execution for this order yet.' })]),
  );
}

// ---- Form ------------------------------------------------------------------------------------

function setFormStatus(text: string, failed = false): void {
  const status = element('form-status');
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

function setUpForm(tokens: string[]): void {
  const token = element<HTMLSelectElement>('token');
  if (token.options.length === 0) token.append(...tokens.map((name) => create('option', { text: name })));
  const form = element<HTMLFormElement>('order-form');
  const syncMethod = () => {
    token.disabled = new FormData(form).get('method') !== 'card';
  };
  form.addEventListener('change', syncMethod);
  syncMethod();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const method = String(data.get('method'));
    const body = {
      currency: String(data.get('currency')),
      items: [
        {
          sku: String(data.get('sku')),
          quantity: Number(data.get('quantity')),
          unitPrice: Number(data.get('unitPrice')),
        },
      ],
      payment: method === 'card' ? { method, token: String(data.get('token')) } : { method },
    };
    const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
    submit.disabled = true;
    setFormStatus('Placing the order…');
    try {
      const response = await callApi('/orders', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as
        | { orderId: string; status: string; total: number; currency: string }
        | { error: { message: string } };
      if (!response.ok || 'error' in answer) {
        setFormStatus(`Refused (${response.status}): ${'error' in answer ? answer.error.message : ''}`, true);
        return;
      }
      setFormStatus(`Order ${answer.orderId} placed: ${answer.status}`);
      const now = new Date().toISOString();
      upsertOrder({
        orderId: answer.orderId,
        status: answer.status,
        total: answer.total,
        currency: answer.currency,
        createdAt: now,
        payment: { method, status: 'PENDING', attempts: 0 },
      });
      selectOrder(answer.orderId);
    } catch (error) {
      setFormStatus(`The local cloud did not answer: ${(error as Error).message}`, true);
    } finally {
      submit.disabled = false;
    }
  });
}

// ---- Live updates ----------------------------------------------------------------------------

function apply(activity: Activity): void {
  switch (activity.kind) {
    case 'pulse':
      light(activity.nodes, activity.failed === true);
      addTicker(activity.text, activity.failed === true, activity.time);
      return;
    case 'touched':
      if (activity.orderId === selected) scheduleDetails();
      return;
    case 'queues':
      showDepths(activity.queues);
      return;
    case 'order':
      upsertOrder(activity.order);
      return;
  }
}

async function loadSnapshot(): Promise<void> {
  const response = await fetch('/_local/snapshot');
  if (!response.ok) throw new Error(`The snapshot answered ${response.status}`);
  const snapshot = (await response.json()) as FlowSnapshot;
  if (!diagram) {
    renderDiagram(snapshot.diagram);
    setUpForm(snapshot.tokens);
    signIn().catch((error: unknown) => {
      element('customer').textContent = `Could not sign in a test customer: ${(error as Error).message}`;
    });
  }
  showDepths(snapshot.queues);
  for (const order of snapshot.orders) upsertOrder(order);
}

function connect(): void {
  const connection = element('connection');
  const events = new EventSource('/_local/events');
  // The snapshot is read once the stream is open, so nothing that happens in between is missed.
  events.addEventListener('open', () => {
    connection.textContent = 'Live';
    connection.className = 'connection live';
    loadSnapshot().catch((error: unknown) => {
      connection.textContent = `Could not load the state: ${(error as Error).message}`;
    });
  });
  events.addEventListener('error', () => {
    connection.textContent = 'Reconnecting to the local cloud…';
    connection.className = 'connection down';
  });
  events.addEventListener('message', (message) => apply(JSON.parse(message.data) as Activity));
}

window.addEventListener('resize', () => drawEdges());
connect();
