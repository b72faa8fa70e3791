import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './http-server.ts';

/**
 * The AWS JSON protocol (1.0 and 1.1) over node:http: `POST /` with `X-Amz-Target: <prefix>.<Action>`
 * and a JSON body; answers are JSON with timestamps as epoch seconds, errors are
 * `{"__type": "<Code>", "message"}` with a 4xx status, which the AWS SDK v3 maps to its named
 * exceptions. The local Step Functions (1.0), Secrets Manager and Cognito user pools (1.1) serve
 * their APIs with it; a service may also serve JSON documents on GET (Cognito's `.well-known`).
 */
export type ApiAction = (input: Record<string, unknown>) => unknown;

/**
 * An error of an AWS API, named by its error code (`ExecutionAlreadyExists`,
 * `ResourceNotFoundException`...): answered with that `__type`, which the SDK turns into its
 * exception of the same name.
 */
export class AwsApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

export interface JsonProtocolServer {
  endpoint: string;
  close(): Promise<void>;
}

export interface JsonProtocolServerOptions {
  /** `AWSStepFunctions`, `secretsmanager`: what comes before the action in X-Amz-Target. */
  targetPrefix: string;
  protocolVersion: '1.0' | '1.1';
  /** The member the service's error shapes name their message with (Secrets Manager: `Message`). */
  errorMessageMember?: 'message' | 'Message';
  /** `Step Functions`: how a refusal of an action it does not serve names the service. */
  serviceName: string;
  /** The actions served, by name; any other is refused with UnknownOperationException. */
  actions: Readonly<Record<string, ApiAction>>;
  /** The service's own refusal of an action it does not serve, instead of the generic one. */
  refuseAction?: (action: string) => AwsApiError;
  /**
   * The JSON document a GET of `path` answers (`endpoint` is the server's own base URL), or
   * undefined for a 404. Without it, every GET is refused as an unknown operation.
   */
  documents?: (path: string, endpoint: string) => unknown;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  onInternalError: (error: unknown) => void;
}

/** Requests of these APIs are small (an execution's input is at most 256 KiB, a secret 64 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

export async function startJsonProtocolServer(
  options: JsonProtocolServerOptions,
): Promise<JsonProtocolServer> {
  const contentType = `application/x-amz-json-${options.protocolVersion}`;
  const messageMember = options.errorMessageMember ?? 'message';
  let endpoint = '';
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method === 'GET' && options.documents) {
      const document = options.documents(path, endpoint);
      if (document === undefined) send(response, 'application/json', 404, { message: `No ${path} here` });
      else send(response, 'application/json', 200, document);
      return;
    }
    serve(request, options)
      .then((body) => send(response, contentType, 200, body))
      .catch((error: unknown) => {
        if (error instanceof AwsApiError) {
          send(response, contentType, error.status, { __type: error.code, [messageMember]: error.message });
          return;
        }
        options.onInternalError(error);
        send(response, contentType, 500, {
          __type: 'InternalFailure',
          [messageMember]: 'The local service failed; see its log',
        });
      });
  });
  const { address, port } = await listenOnLoopback(server, options.port ?? 0, options.host);
  endpoint = `http://${address}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    endpoint,
    // Closing again answers the first close: a service may be stopped twice (a test's cleanup).
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The SDK keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function serve(request: IncomingMessage, options: JsonProtocolServerOptions): Promise<unknown> {
  const target = request.headers['x-amz-target'];
  const prefix = `${options.targetPrefix}.`;
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
    await drain(request);
    throw new AwsApiError(
      'UnknownOperationException',
      `Expected POST / with an X-Amz-Target header of the form ${prefix}<Action>`,
    );
  }
  const text = await readBody(request);
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsApiError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AwsApiError('SerializationException', 'The request body must be a JSON object');
  }
  const action = target.slice(prefix.length);
  const run = Object.hasOwn(options.actions, action) ? options.actions[action] : undefined;
  if (!run) {
    if (options.refuseAction) throw options.refuseAction(action);
    throw new AwsApiError(
      'UnknownOperationException',
      `The local ${options.serviceName} does not serve ${action} (it serves ${Object.keys(options.actions).join(', ')})`,
    );
  }
  return run(input as Record<string, unknown>);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new AwsApiError('ValidationException', 'The request body is larger than 1 MiB', 413);
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

function send(response: ServerResponse, contentType: string, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {}, function (this: Record<string, unknown>, key, value: unknown) {
    // Date.toJSON ran already: the holder still has the Date, sent as epoch seconds.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
