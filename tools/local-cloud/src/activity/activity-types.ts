/**
 * What the flow page and the local cloud say to each other: the diagram (built from the local
 * model), the snapshot the page loads first, and the activity the server then streams (SSE).
 * Imported by the server and bundled into the browser, so it holds types only.
 */

/** One box of the diagram. Ids are `<kind>:<name>`, e.g. `fn:PlaceOrderFunction`, `queue:local-orders-x`. */
export interface DiagramNode {
  id: string;
  label: string;
  /** A second line: the stack a function belongs to, a route's function, a state's type. */
  detail?: string;
}

export interface DiagramQueue extends DiagramNode {
  /** The dead-letter queue this queue's redrive policy names, shown inside the queue's box. */
  dlqName?: string;
}

export interface DiagramWorkflow extends DiagramNode {
  states: DiagramNode[];
}

/** A connection the template declares: route → function, queue → function, rule → target, ... */
export interface DiagramEdge {
  from: string;
  to: string;
}

export interface FlowDiagram {
  routes: DiagramNode[];
  functions: DiagramNode[];
  queues: DiagramQueue[];
  workflows: DiagramWorkflow[];
  tables: DiagramNode[];
  buses: DiagramNode[];
  streams: DiagramNode[];
  edges: DiagramEdge[];
}

export interface QueueDepth {
  /** Messages waiting, and received but not yet deleted. */
  visible: number;
  inFlight: number;
  /** Messages in the queue's dead-letter queue, when it has one. */
  dlq?: number;
}

export interface OrderSummary {
  orderId: string;
  status: string;
  total: number;
  currency: string;
  createdAt: string;
  updatedAt?: string;
  payment: { method: string; status: string; attempts: number; reason?: string };
  invoiceId?: string;
}

export interface FlowSnapshot {
  diagram: FlowDiagram;
  orders: OrderSummary[];
  queues: Record<string, QueueDepth>;
  /** Test payment tokens the form offers (the built-in test provider's). */
  tokens: string[];
}

/** The test customer the page places its orders as, signed in through the local user pool. */
export interface PageCustomer {
  email: string;
  /** For `Authorization: Bearer ...` on the API's customer routes. */
  accessToken: string;
}

export interface OrderLogLine {
  time: string;
  level: string;
  source: string;
  message: string;
  correlationId?: string;
}

export interface OrderHistoryEvent {
  id: number;
  timestamp: string;
  type: string;
  /** The state's name, for state events. */
  name?: string;
  error?: string;
  cause?: string;
}

export interface OrderDetails {
  orderId: string;
  logs: OrderLogLine[];
  /** The payment workflow's execution named by the order id, once it started. */
  execution?: { stateMachine: string; status: string; history: OrderHistoryEvent[] };
}

/**
 * What the server streams. `nodes` lists the diagram boxes the activity passed through, so the
 * page lights them without knowing the wiring; `orderId` is set when the activity concerns one order.
 */
export type Activity =
  | { kind: 'pulse'; nodes: string[]; failed?: boolean; text: string; orderId?: string; time: string }
  | { kind: 'queues'; queues: Record<string, QueueDepth> }
  | { kind: 'order'; order: OrderSummary }
  /** Something happened to this order (a log line, a state): its details are worth reading again. */
  | { kind: 'touched'; orderId: string };
