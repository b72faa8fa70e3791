/**
 * What the activity feed makes of the running cloud, as the flow page gets it: the diagram (built
 * from the local model), queue depths, a subject's log lines, and the activity that lights the
 * diagram. Imported by the server and bundled into the browser, so it holds types only.
 */

/** One box of the diagram. Ids are `<kind>:<name>`, e.g. `fn:my-app-handler`, `queue:my-app-jobs`. */
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

/** A log line the feed kept for a subject: one of its correlation ids, or its id in the line. */
export interface SubjectLogLine {
  time: string;
  level: string;
  source: string;
  message: string;
  correlationId?: string;
}

/**
 * Activity the feed saw. `nodes` lists the diagram boxes it passed through, so the page lights them
 * without knowing the wiring; `subjectId` is set when it concerns one subject (a plugin's).
 */
export interface Activity {
  kind: 'pulse';
  nodes: string[];
  failed?: boolean;
  text: string;
  subjectId?: string;
  time: string;
}
