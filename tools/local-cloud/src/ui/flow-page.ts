import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ActivityFeed } from '../activity/activity-feed.ts';
import type { DiagramIndex } from '../activity/flow-diagram.ts';
import { readQueueDepths } from '../activity/queue-depths.ts';
import type { LogSink } from '../contracts.ts';
import type { LocalSchedules } from '../eventbridge/schedules.ts';
import type { LocalIdentity, LocalSecrets } from '../identity/local-identity.ts';
import { serviceLog } from '../kit/service-log.ts';
import type { FlowSubject, LocalCloudPlugin } from '../plugin.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import type { LocalModel, RouteModel } from '../template/local-model.ts';
import { createPageAssets, type PageAssets } from './page-assets.ts';
import { createPageNotices, type PageNotices } from './page-notices.ts';
import { describe, sendJson } from './page-responses.ts';
import { createPageStreams, type PageStreams } from './page-stream.ts';
import type { FlowSnapshot } from './page-types.ts';
import { type PluginPages, startPluginPages } from './plugin-pages.ts';
import { answerSchedules } from './schedule-endpoints.ts';
import { subjectDetails } from './subject-details.ts';

/**
 * The flow page at `/`, served by the HTTP API's server for the requests no API route takes: the
 * page and its bundle, a snapshot to start from, the activity as server-sent events, a subject's
 * log lines and workflow history, the user pool the API trusts, and the scheduled rules (run one
 * now). Plugins add their panels'
 * scripts, their share of the snapshot and their endpoints, all under `/_local/`, so a plugin can
 * never take a path of the API.
 */
export interface FlowPage {
  /** The HTTP API's fallback: true when it answered the request. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  notices: PageNotices;
  stop(): void;
}

export interface FlowPageOptions {
  model: LocalModel;
  index: DiagramIndex;
  feed: ActivityFeed;
  stepFunctions: StepFunctionsService;
  /** The scheduled rules, listed and run at once under `/_local/schedules`. */
  schedules: LocalSchedules;
  /** The emulators' own clients, which fault injection never touches. */
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  log: LogSink;
  /** The HTTP API's base URL. */
  apiUrl: string;
  identity: LocalIdentity;
  secrets: LocalSecrets;
  plugins: readonly LocalCloudPlugin[];
  /** Where the built page lives. Default: the package's dist/web. */
  webDir?: string;
  /** How often queue depths are read while a page is connected. Default 1 s. */
  queueSampleMs?: number;
}

const DEFAULT_TITLE = 'Local cloud';
const SUBJECT_DETAILS = /^\/_local\/subjects\/([\w-]+)$/;

export async function createFlowPage(options: FlowPageOptions): Promise<FlowPage> {
  const { model, clients, plugins } = options;
  const { warn } = serviceLog(options.log, 'flow-page');
  const failed: FailedAnswer = (response, path, error) => {
    warn(`${path} failed: ${describe(error)}`);
    sendJson(response, 500, { error: { code: 'Internal', message: describe(error) } });
  };
  const title = plugins.find((plugin) => plugin.page?.title)?.page?.title ?? DEFAULT_TITLE;
  refuseDocumentsOnRoutes(plugins, model.routes);
  const assets = createPageAssets(plugins, title, options.webDir);
  const streams = createPageStreams({
    feed: options.feed,
    readDepths: () => readQueueDepths(clients.sqs, model),
    sampleMs: options.queueSampleMs ?? 1_000,
    warn,
  });
  const notices = createPageNotices((shown) => streams.send({ kind: 'notices', notices: shown }));
  const pluginPages = await startPluginPages(
    plugins,
    {
      apiUrl: options.apiUrl,
      model,
      diagram: options.index,
      identity: options.identity,
      secrets: options.secrets,
      dynamodb: clients.dynamodb,
      log: options.log,
    },
    streams,
    failed,
  );
  const handleEngine = engineEndpoints({
    options,
    title,
    subjects: plugins.flatMap((plugin) => (plugin.subject ? [plugin.subject] : [])),
    assets,
    streams,
    pluginPages,
    notices,
    failed,
  });

  return {
    notices,
    handle(request, response) {
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const reading = method === 'GET' || method === 'HEAD';
      if (reading && (assets.serve(path, response) || handleEngine(path, request, response))) return true;
      if (answerSchedules(options.schedules, method, path, request, response)) return true;
      // Only the page's own paths: what else a plugin answered would be the API's.
      return path.startsWith('/_local/') && pluginPages.handle(method, path, request, response);
    },
    stop() {
      pluginPages.stop();
      streams.stop();
    },
  };
}

/** A plugin's document may not take a path one of the API's routes (`$default` apart) answers. */
function refuseDocumentsOnRoutes(plugins: readonly LocalCloudPlugin[], routes: readonly RouteModel[]): void {
  for (const plugin of plugins) {
    for (const document of plugin.page?.documents ?? []) {
      const route = routes.find(({ routeKey }) => {
        const path = routeKey.split(' ')[1];
        return (
          path !== undefined && new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(document.path)
        );
      });
      if (route) {
        throw new Error(
          `The ${plugin.name} plugin's document ${document.path} takes the path of the API route ${route.routeKey}`,
        );
      }
    }
  }
}

/** Answers a request whose work failed with a 500, and says so in the log. */
type FailedAnswer = (response: ServerResponse, path: string, error: unknown) => void;

/** The running page the engine's own endpoints answer from. */
interface PageParts {
  options: FlowPageOptions;
  title: string;
  /** The subjects the plugins say the page follows. */
  subjects: FlowSubject[];
  assets: PageAssets;
  streams: PageStreams;
  pluginPages: PluginPages;
  notices: PageNotices;
  failed: FailedAnswer;
}

/**
 * The engine's endpoints under `/_local/`: the activity as server-sent events, the snapshot, the
 * user pool the API trusts, and a subject's details. Returns whether one took the request.
 */
function engineEndpoints(
  parts: PageParts,
): (path: string, request: IncomingMessage, response: ServerResponse) => boolean {
  const { options, subjects, streams, failed } = parts;
  const answerJson = (response: ServerResponse, path: string, work: Promise<unknown>) =>
    work.then(
      (body) => sendJson(response, 200, body),
      (error: unknown) => failed(response, path, error),
    );
  return (path, request, response) => {
    if (path === '/_local/events') {
      streams.open(request, response);
      return true;
    }
    if (path === '/_local/snapshot') {
      answerJson(response, path, readSnapshot(parts));
      return true;
    }
    if (path === '/_local/identity') {
      const userPool = options.identity.apiUserPool;
      if (userPool) sendJson(response, 200, userPool);
      else sendJson(response, 404, { error: { message: 'No route has a JWT authorizer' } });
      return true;
    }
    const subjectId = SUBJECT_DETAILS.exec(path)?.[1];
    if (!subjectId) return false;
    answerJson(
      response,
      path,
      subjectDetails(subjectId, { feed: options.feed, stepFunctions: options.stepFunctions, subjects }),
    );
    return true;
  };
}

/** What the page starts from: the diagram, queue depths, the subjects it follows, and each plugin's panel. */
async function readSnapshot({
  options,
  title,
  subjects,
  assets,
  pluginPages,
  notices,
}: PageParts): Promise<FlowSnapshot> {
  const [queues, added] = await Promise.all([
    readQueueDepths(options.clients.sqs, options.model),
    pluginPages.snapshots(),
  ]);
  return {
    title,
    diagram: options.index.diagram,
    queues,
    subjects: subjects.map((subject) => subject.name),
    plugins: options.plugins.flatMap((plugin) => {
      if (!plugin.page) return [];
      const script = assets.scriptUrl(plugin);
      const data = added.get(plugin.name);
      return [{ name: plugin.name, ...(script ? { script } : {}), ...(data === undefined ? {} : { data }) }];
    }),
    notices: notices.list(),
  };
}
