import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS call as it went over the wire (JSON protocols): `DynamoDB_20120810.PutItem` and its input. */
export interface RecordedCall {
  target: string;
  input: unknown;
}

export interface CallRecorder {
  /** Endpoints to hand a function instead of the real ones, by the same keys. */
  endpoints: Record<string, string>;
  /** Returns the calls recorded since the last take, in order, and forgets them. */
  take(): RecordedCall[];
  stop(): Promise<void>;
}

/**
 * A pass-through proxy in front of each local endpoint that notes every call. The bench runs each
 * function once through it to learn the SDK calls its first invocation makes; the function's floor
 * then makes the same calls. Timed runs never go through it.
 */
export async function startCallRecorder(endpoints: Record<string, string>): Promise<CallRecorder> {
  let calls: RecordedCall[] = [];
  const servers: Server[] = [];
  const proxied: Record<string, string> = {};
  for (const [service, endpoint] of Object.entries(endpoints)) {
    const target = new URL(endpoint);
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        const operation = incoming.headers['x-amz-target'];
        if (typeof operation === 'string')
          calls.push({ target: operation, input: JSON.parse(body.toString('utf8') || '{}') });
        const forwarded = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: incoming.method,
            path: incoming.url,
            headers: { ...incoming.headers, host: target.host },
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forwarded.on('error', (error) => outgoing.destroy(error));
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    proxied[service] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    endpoints: proxied,
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    async stop() {
      await Promise.all(
        servers.map((server) => new Promise((resolve) => server.close(resolve)).then(() => undefined)),
      );
    },
  };
}
