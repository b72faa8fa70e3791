import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ActivityFeed } from '../activity/activity-feed.ts';
import type { DiagramIndex } from '../activity/flow-diagram.ts';
import { readQueueDepths } from '../activity/queue-depths.ts';
import type { LogSink } from '../contracts.ts';
import type { LocalIdentity, LocalSecrets } from '../identity/local-identity.ts';
import type { LocalCloudPlugin } from '../plugin.ts';
import type { StepFunctionsService } from '../stepfunctions/stepfunctions-service.ts';
import type { LocalModel } from '../template/local-model.ts';
import { createPageAssets } from './page-assets.ts';
import { describe, sendJson } from './page-responses.ts';
import { createPageStreams } from './page-stream.ts';
import type { FlowSnapshot } from './page-types.ts';
import { startPluginPages } from './plugin-pages.ts';
import { subjectDetails } from './subject-details.ts';

/**
 * The flow page at `/`, served by the HTTP API's server for the requests no API route takes: the
 * page and its bundle, a snapshot to start from, the activity as server-sent events, a subject's
 * log lines and workflow history, and the user pool the API trusts. Plugins add their panels'
 * scripts, their share of the snapshot and their endpoints, all under `/_local/`, so a plugin can
 * never take a path of the API.
 */
export interface FlowPage {
  /** The HTTP API's fallback: true when it answered the request. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  stop(): void;
}

export interface FlowPageOptions {
  model: LocalModel;
  index: DiagramIndex;
  feed: ActivityFeed;
  stepFunctions: StepFunctionsService;
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
  const { model, index, feed, clients, plugins } = options;
  const warn = (message: string) =>
    options.log({ source: 'flow-page', level: 'WARN', message, time: new Date().toISOString() });
  const failed = (response: ServerResponse, path: string, error: unknown) => {
    warn(`${path} failed: ${describe(error)}`);
    sendJson(response, 500, { error: { code: 'Internal', message: describe(error) } });
  };
  const answerJson = (response: ServerResponse, path: string, work: Promise<unknown>) =>
    work.then(
      (body) => sendJson(response, 200, body),
      (error: unknown) => failed(response, path, error),
    );
  const title = plugins.find((plugin) => plugin.page?.title)?.page?.title ?? DEFAULT_TITLE;
  const assets = createPageAssets(plugins, title, options.webDir);
  const streams = createPageStreams({
    feed,
    readDepths: () => readQueueDepths(clients.sqs, model),
    sampleMs: options.queueSampleMs ?? 1_000,
    warn,
  });
  const pluginPages = await startPluginPages(
    plugins,
    {
      apiUrl: options.apiUrl,
      model,
      diagram: index,
      identity: options.identity,
      secrets: options.secrets,
      dynamodb: clients.dynamodb,
      log: options.log,
    },
    streams,
    failed,
  );
  const subjects = plugins.flatMap((plugin) => (plugin.subject ? [plugin.subject] : []));

  const snapshot = async (): Promise<FlowSnapshot> => {
    const [queues, added] = await Promise.all([readQueueDepths(clients.sqs, model), pluginPages.snapshots()]);
    return {
      title,
      diagram: index.diagram,
      queues,
      subjects: subjects.map((subject) => subject.name),
      plugins: plugins.flatMap((plugin) => {
        if (!plugin.page) return [];
        const script = assets.scriptUrl(plugin);
        const data = added.get(plugin.name);
        return [
          { name: plugin.name, ...(script ? { script } : {}), ...(data === undefined ? {} : { data }) },
        ];
      }),
    };
  };

  const handleEngine = (path: string, request: IncomingMessage, response: ServerResponse): boolean => {
    if (path === '/_local/events') {
      streams.open(request, response);
      return true;
    }
    if (path === '/_local/snapshot') {
      answerJson(response, path, snapshot());
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
      subjectDetails(subjectId, { feed, stepFunctions: options.stepFunctions, subjects }),
    );
    return true;
  };

  return {
    handle(request, response) {
      const method = request.method ?? 'GET';
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      const reading = method === 'GET' || method === 'HEAD';
      if (reading && (assets.serve(path, response) || handleEngine(path, request, response))) return true;
      // Only the page's own paths: what else a plugin answered would be the API's.
      return path.startsWith('/_local/') && pluginPages.handle(method, path, request, response);
    },
    stop() {
      pluginPages.stop();
      streams.stop();
    },
  };
}
