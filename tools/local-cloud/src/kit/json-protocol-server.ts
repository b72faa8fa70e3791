import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoopbackHttpServer, serveOnLoopback } from './http-server.ts';
import { readRequestBody } from './request-body.ts';
import type { ServiceLog } from './service-log.ts';

/**
 * The AWS JSON protocol (1.0 and 1.1) over node:http: `POST /` with `X-Amz-Target: <prefix>.<Action>`
 * and a JSON body; answers are JSON with timestamps as epoch seconds, errors are
 * `{"__type": "<Code>", "message"}` with a 4xx status, which the AWS SDK v3 maps to its named
 * exceptions. Every local service of an AWS JSON API serves it with this server: Step Functions
 * (1.0), EventBridge, Secrets Manager and Cognito user pools (1.1); a service may also serve JSON
 * documents on GET (Cognito's `.well-known`).
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

export type JsonProtocolServer = LoopbackHttpServer;

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
  /** Where a failure of the service's own (a 500) is said, with its stack. */
  log: ServiceLog;
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
      if (document === undefined)
        sendAwsJson(response, 'application/json', 404, { message: `No ${path} here` });
      else sendAwsJson(response, 'application/json', 200, document);
      return;
    }
    serve(request, options)
      .then((body) => sendAwsJson(response, contentType, 200, body))
      .catch((error: unknown) => {
        if (error instanceof AwsApiError) {
          sendError(response, contentType, error.status, error.code, { [messageMember]: error.message });
          return;
        }
        options.log.error(`Request failed: ${(error as Error).stack ?? String(error)}`);
        sendError(response, contentType, 500, 'InternalFailure', {
          [messageMember]: 'The local service failed; see its log',
        });
      });
  });
  const listening = await serveOnLoopback(server, options);
  endpoint = listening.endpoint;
  return listening;
}

async function serve(request: IncomingMessage, options: JsonProtocolServerOptions): Promise<unknown> {
  const target = request.headers['x-amz-target'];
  const prefix = `${options.targetPrefix}.`;
  const body = await readRequestBody(request, MAX_BODY_BYTES);
  if (body === 'too-large') {
    throw new AwsApiError('ValidationException', 'The request body is larger than 1 MiB', 413);
  }
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(prefix)) {
    throw new AwsApiError(
      'UnknownOperationException',
      `Expected POST / with an X-Amz-Target header of the form ${prefix}<Action>`,
    );
  }
  const input = jsonObjectOf(body, 'SerializationException');
  const action = target.slice(prefix.length);
  const run = Object.hasOwn(options.actions, action) ? options.actions[action] : undefined;
  if (!run) {
    if (options.refuseAction) throw options.refuseAction(action);
    throw new AwsApiError(
      'UnknownOperationException',
      `The local ${options.serviceName} does not serve ${action} (it serves ${Object.keys(options.actions).join(', ')})`,
    );
  }
  return run(input);
}

/** A request's JSON body, an object (`{}` when empty), or the error `code` saying why it is not one. */
export function jsonObjectOf(body: Buffer, code: string): Record<string, unknown> {
  const text = body.toString('utf8');
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsApiError(code, 'The request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AwsApiError(code, 'The request body must be a JSON object');
  }
  return input as Record<string, unknown>;
}

/** An error as AWS answers it: `__type` in the body, and the x-amzn-errortype header. */
function sendError(
  response: ServerResponse,
  contentType: string,
  status: number,
  code: string,
  message: Record<string, string>,
): void {
  sendAwsJson(response, contentType, status, { __type: code, ...message }, { 'x-amzn-errortype': code });
}

/** A JSON answer as the AWS services write it: Dates as epoch seconds, a request id. */
export function sendAwsJson(
  response: ServerResponse,
  contentType: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body ?? {}, function (this: Record<string, unknown>, key, value: unknown) {
    // Date.toJSON ran already: the holder still has the Date, sent as epoch seconds.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}
