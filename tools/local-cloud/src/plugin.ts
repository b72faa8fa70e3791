import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Activity } from './activity/activity-types.ts';
import type { DiagramIndex } from './activity/flow-diagram.ts';
import type { PluginFault } from './faults/fault-plan.ts';
import type { LocalIdentity, LocalSecrets } from './identity/local-identity.ts';
import type { ServiceLog } from './kit/service-log.ts';
import type { LocalModel } from './template/local-model.ts';

/**
 * What an application adds to the local cloud, which knows only its templates: faults of its own,
 * the subject its flow page follows (what one request starts and every part then works on), and
 * its part of the page. Passed as `startLocalCloud({ plugins })`, or `local-cloud --plugin MODULE`
 * for a module whose default export is one.
 */
export interface LocalCloudPlugin {
  /** Names the plugin in the page's URLs, snapshot and stream: kebab-case. */
  name: string;
  faults?: readonly PluginFault[];
  subject?: FlowSubject;
  page?: PluginPage;
}

/** What the flow page follows across the parts: its log lines, workflow execution and activity. */
export interface FlowSubject {
  /** What one is called, singular and lower case: `ticket`. */
  name: string;
  /**
   * Its ids wherever they appear: log messages and fields, request paths, event details, and the
   * names of the workflow executions it starts. Matched without the `g` flag.
   */
  pattern: RegExp;
}

/** The plugin's part of the flow page: a browser module and stylesheet, and their server side. */
export interface PluginPage {
  /** The page's title; the first plugin's that has one. */
  title?: string;
  /**
   * The built browser module (an absolute path), whose default export mounts the plugin's panels
   * (`PagePluginMount`, in `@shop/local-cloud/page`).
   */
  script?: string;
  /** Its stylesheet (an absolute path). */
  style?: string;
  /**
   * Files the page links to from its header and serves at paths of their own outside `/_local/`
   * (the application's API description at `/openapi.json`, say). A path one of the templates' API
   * routes takes is refused at start: the API's paths stay the API's.
   */
  documents?: readonly PageDocument[];
  /** Starts the page's server side, once the cloud runs. */
  start?(context: PluginPageContext): PluginPageServer | Promise<PluginPageServer>;
}

/**
 * A file the page serves as it is, at its own path, and links to from its header. Its
 * Content-Security-Policy lets it load only from the local cloud's origin and inline data.
 */
export interface PageDocument {
  /** `/openapi.json`: a root path, not under `/_local/`. */
  path: string;
  /** The file (an absolute path), read at every request. */
  file: string;
  /** Its content type: `application/json`, `text/html; charset=utf-8`. */
  type: string;
  /** The link's text in the page's header. */
  title: string;
}

export interface PluginPageServer {
  /** Added to the page's snapshot under the plugin's name, at every (re)load of the page. */
  snapshot?(): Promise<unknown>;
  /** JSON endpoints, each under `/_local/`; the engine's own paths come first. */
  endpoints?: readonly PageEndpoint[];
  stop?(): void;
}

export interface PageEndpoint {
  method: 'GET' | 'POST';
  /** `/_local/...`, exactly, or a pattern whose groups are passed as `params`. */
  path: string | RegExp;
  /** `body` is the parsed JSON of a POST (a malformed one is answered 400 before it gets here). */
  answer(request: { params: string[]; body: unknown }): Promise<PageAnswer>;
}

export interface PageAnswer {
  status: number;
  /** Sent as JSON. */
  body: unknown;
}

/** What the page's server side of a plugin can use of the running cloud. */
export interface PluginPageContext {
  /** The HTTP API's base URL. */
  apiUrl: string;
  model: LocalModel;
  diagram: DiagramIndex;
  identity: LocalIdentity;
  secrets: LocalSecrets;
  /** A client of the DynamoDB emulator itself: fault injection never throttles the page's reads. */
  dynamodb: DynamoDBClient;
  /** The cloud's log, whose entries name the plugin as their source. */
  log: ServiceLog;
  /** The pages open now, through their event stream. */
  pages: PageStream;
}

export interface PageStream {
  /** True while at least one page listens. */
  connected(): boolean;
  /** Sends `data` to every open page, where the plugin's script receives it (`host.onMessage`). */
  send(data: unknown): void;
  /** Every activity the pages are sent, while one listens. Returns the unsubscribe function. */
  onActivity(listener: (activity: Activity) => void): () => void;
  /** The id of a subject something just happened to, while a page listens. */
  onSubjectTouched(listener: (subjectId: string) => void): () => void;
}
