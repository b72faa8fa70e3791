import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StepFunctionsApiError } from './errors.ts';

/**
 * The AWS JSON 1.0 protocol over node:http: `POST /` with `X-Amz-Target: <prefix>.<Action>` and a
 * JSON body; answers are JSON with timestamps as epoch seconds, errors are
 * `{"__type": "<Code>", "message"}` with a 4xx status, which the AWS SDK v3 maps to its named
 * exceptions.
 */
export type ActionHandler = (action: string, input: Record<string, unknown>) => Promise<unknown>;

export interface JsonProtocolServer {
  endpoint: string;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Requests of this API are small (an execution's input is at most 256 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startJsonProtocolServer(options: {
  targetPrefix: string;
  port: number;
  handle: ActionHandler;
  onInternalError: (error: unknown) => void;
}): Promise<JsonProtocolServer> {
  const server = createServer((request, response) => {
    serve(request, options)
      .then((body) => send(response, 200, body))
      .catch((error: unknown) => {
        if (error instanceof StepFunctionsApiError) {
          send(response, error.status, { __type: error.code, message: error.message });
          return;
        }
        options.onInternalError(error);
        send(response, 500, { __type: 'InternalFailure', message: 'The local service failed; see its log' });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}

async function serve(
  request: IncomingMessage,
  options: { targetPrefix: string; handle: ActionHandler },
): Promise<unknown> {
  const target = request.headers['x-amz-target'];
  const prefix = `${options.targetPrefix}.`;
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
    await drain(request);
    throw new StepFunctionsApiError(
      'UnknownOperationException',
      `Expected POST / with an X-Amz-Target header of the form ${prefix}<Action>`,
    );
  }
  const text = await readBody(request);
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new StepFunctionsApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new StepFunctionsApiError('SerializationException', 'The request body must be a JSON object');
  }
  return options.handle(target.slice(prefix.length), input as Record<string, unknown>);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new StepFunctionsApiError('ValidationException', 'The request body is larger than 1 MiB', 413);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request) {
    // Read and dropped, so that the connection can answer.
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {}, function (this: Record<string, unknown>, key, value: unknown) {
    // Date.toJSON ran already: the holder still has the Date, sent as epoch seconds.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
