import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogSink } from '../contracts.ts';
import { serviceLog } from '../kit/service-log.ts';
import type { LocalCloudPlugin, PageEndpoint, PluginPageContext, PluginPageServer } from '../plugin.ts';
import { readJson, sendJson } from './page-responses.ts';
import type { PageStreams } from './page-stream.ts';

/**
 * The plugins' server side of the page, started once the cloud runs: their share of the snapshot,
 * and their JSON endpoints (a POST's body read and parsed first; a malformed one is a 400).
 */
export interface PluginPages {
  /** What each plugin adds to the snapshot, by name. */
  snapshots(): Promise<Map<string, unknown>>;
  /** Answers the request when an endpoint of a plugin takes it; true when one did. */
  handle(method: string, path: string, request: IncomingMessage, response: ServerResponse): boolean;
  stop(): void;
}

export async function startPluginPages(
  plugins: readonly LocalCloudPlugin[],
  context: Omit<PluginPageContext, 'pages' | 'log'> & { log: LogSink },
  streams: PageStreams,
  failed: (response: ServerResponse, path: string, error: unknown) => void,
): Promise<PluginPages> {
  const servers = new Map<string, PluginPageServer>();
  for (const plugin of plugins) {
    const server = await plugin.page?.start?.({
      ...context,
      log: serviceLog(context.log, plugin.name),
      pages: streams.forPlugin(plugin.name),
    });
    if (server) servers.set(plugin.name, server);
  }
  const endpoints = [...servers.values()].flatMap((server) => server.endpoints ?? []);

  const answer = async (
    endpoint: PageEndpoint,
    params: string[],
    body: unknown,
    response: ServerResponse,
  ) => {
    const { status, body: answered } = await endpoint.answer({ params, body });
    sendJson(response, status, answered);
  };
  return {
    async snapshots() {
      const named = await Promise.all(
        [...servers].map(async ([name, server]) => [name, await server.snapshot?.()] as const),
      );
      return new Map(named);
    },
    handle(method, path, request, response) {
      const found = matchEndpoint(endpoints, method, path);
      if (!found) return false;
      (method === 'POST' ? readJson(request) : Promise.resolve(undefined)).then(
        (body) =>
          answer(found.endpoint, found.params, body, response).catch((error: unknown) =>
            failed(response, path, error),
          ),
        (error: unknown) => {
          if (error instanceof SyntaxError) sendJson(response, 400, { error: { message: error.message } });
          else failed(response, path, error);
        },
      );
      return true;
    },
    stop() {
      for (const server of servers.values()) server.stop?.();
    },
  };
}

function matchEndpoint(
  endpoints: readonly PageEndpoint[],
  method: string,
  path: string,
): { endpoint: PageEndpoint; params: string[] } | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const endpoint of endpoints) {
    if (endpoint.method !== wanted) continue;
    if (typeof endpoint.path === 'string') {
      if (endpoint.path === path) return { endpoint, params: [] };
      continue;
    }
    const match = endpoint.path.exec(path);
    if (match) return { endpoint, params: match.slice(1).map((param) => param ?? '') };
  }
  return undefined;
}
