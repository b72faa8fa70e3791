import type { Activity, FlowDiagram, QueueDepth, SubjectLogLine } from '../activity/activity-types.ts';

/**
 * What the flow page and the local cloud say to each other: the snapshot the page loads first, a
 * subject's details, and the messages the server then streams (SSE). Imported by the server and
 * bundled into the browser, so it holds types only.
 */
export interface FlowSnapshot {
  /** The page's title: a plugin's, or the engine's own. */
  title: string;
  diagram: FlowDiagram;
  queues: Record<string, QueueDepth>;
  /** The subjects the plugins follow, by name (`ticket`): the page offers a details panel for them. */
  subjects: string[];
  /** The plugins with a part on the page: where their module is, and what they added to the snapshot. */
  plugins: PluginOnPage[];
  /** What the page shows above everything until it is cleared. */
  notices: PageNotice[];
}

/** A notice at the top of the page: a title, and text shown as it is (an error with its lines). */
export interface PageNotice {
  id: string;
  title: string;
  text?: string;
}

export interface PluginOnPage {
  name: string;
  /** The URL of its browser module, when it has one. */
  script?: string;
  /** What its server side added to the snapshot. */
  data?: unknown;
}

export interface ExecutionHistoryEvent {
  id: number;
  timestamp: string;
  type: string;
  /** The state's name, for state events. */
  name?: string;
  error?: string;
  cause?: string;
}

/** `GET /_local/subjects/{id}`: a subject's kept log lines, and the workflow execution its id names. */
export interface SubjectDetails {
  subjectId: string;
  /** The name of the subject whose pattern the id matches (`ticket`), when one does. */
  subject?: string;
  logs: SubjectLogLine[];
  /** The workflow execution named by the subject's id, once it started. */
  execution?: { stateMachine: string; status: string; history: ExecutionHistoryEvent[] };
}

/** What the server streams to an open page. */
export type PageMessage =
  | Activity
  | { kind: 'queues'; queues: Record<string, QueueDepth> }
  /** Something happened to this subject (a log line, a state): its details are worth reading again. */
  | { kind: 'touched'; subjectId: string }
  /** What a plugin's server side sent to its script. */
  | { kind: 'plugin'; plugin: string; data: unknown }
  /** The notices now shown: every one, each time one is shown or cleared. */
  | { kind: 'notices'; notices: PageNotice[] };
