import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivityFeed } from '../activity/activity-feed.ts';
import type { QueueDepth } from '../activity/activity-types.ts';
import type { PageStream } from '../plugin.ts';
import { describe } from './page-responses.ts';
import type { PageMessage } from './page-types.ts';

/**
 * The open pages' event streams (server-sent events): the feed's activity while a page listens,
 * queue depths sampled only then (one sample at a time, sent when they change), and what plugins send.
 */
export interface PageStreams {
  open(request: IncomingMessage, response: ServerResponse): void;
  /** A plugin's view: what it sends reaches its script as `{ kind: 'plugin', plugin, data }`. */
  forPlugin(name: string): PageStream;
  /** Sends a message to every open page. */
  send(message: PageMessage): void;
  stop(): void;
}

export function createPageStreams(options: {
  feed: ActivityFeed;
  readDepths: () => Promise<Record<string, QueueDepth>>;
  sampleMs: number;
  warn: (message: string) => void;
}): PageStreams {
  const { feed } = options;
  const streams = new Set<ServerResponse>();
  let lastDepths = '';
  let sampler: NodeJS.Timeout | undefined;

  const broadcast = (message: PageMessage) => {
    const frame = `data: ${JSON.stringify(message)}\n\n`;
    for (const stream of streams) if (!stream.writableEnded && !stream.destroyed) stream.write(frame);
  };
  // With no page open there is nothing to keep up to date: the snapshot covers what happened.
  const whileConnected =
    <T>(listener: (value: T) => void) =>
    (value: T) => {
      if (streams.size > 0) listener(value);
    };
  const unsubscribe = [
    feed.subscribe(whileConnected(broadcast)),
    feed.onSubjectTouched(whileConnected((subjectId) => broadcast({ kind: 'touched', subjectId }))),
  ];

  const sampleQueues = async () => {
    const depths = await options.readDepths();
    const text = JSON.stringify(depths);
    if (text !== lastDepths) {
      lastDepths = text;
      broadcast({ kind: 'queues', queues: depths });
    }
  };
  const startSampling = () => {
    if (sampler) return;
    const tick = () => {
      sampleQueues()
        .catch((error: unknown) => options.warn(`Could not read the queue depths: ${describe(error)}`))
        .finally(() => {
          if (streams.size > 0) sampler = setTimeout(tick, options.sampleMs);
          else sampler = undefined;
        });
    };
    sampler = setTimeout(tick, 0);
  };

  return {
    open(request, response) {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      // Tells EventSource how long to wait before it reconnects after the local cloud restarts.
      response.write('retry: 2000\n\n');
      streams.add(response);
      lastDepths = '';
      startSampling();
      request.on('close', () => streams.delete(response));
    },
    send: broadcast,
    forPlugin(name) {
      return {
        connected: () => streams.size > 0,
        send: (data) => broadcast({ kind: 'plugin', plugin: name, data }),
        onActivity: (listener) => feed.subscribe(whileConnected(listener)),
        onSubjectTouched: (listener) => feed.onSubjectTouched(whileConnected(listener)),
      };
    },
    stop() {
      for (const stop of unsubscribe) stop();
      clearTimeout(sampler);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}
