import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../listen.ts';
import { CognitoError } from './cognito-error.ts';

/**
 * The user pools' endpoint: the Cognito Identity Provider API over AWS JSON 1.1 (`POST /` with
 * `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>`; errors as `{"__type", "message"}`,
 * dates as epoch seconds), and each pool's `/<poolId>/.well-known/jwks.json` and
 * `openid-configuration` documents, as `https://cognito-idp.<region>.amazonaws.com` serves them.
 */
export interface CognitoEndpointHandlers {
  action(action: string, input: Record<string, unknown>): Promise<unknown>;
  /** The document at `/<poolId>/.well-known/<name>`, or undefined for a pool or name that is not there. */
  wellKnown(poolId: string, name: string, endpoint: string): unknown;
  onInternalError(error: unknown): void;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 1024 * 1024;
const WELL_KNOWN = /^\/([^/]+)\/\.well-known\/([a-z-]+(?:\.json)?)$/;

export async function startCognitoEndpoint(options: {
  host?: string;
  port?: number;
  handlers: CognitoEndpointHandlers;
}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { handlers } = options;
  let endpoint = '';
  const server = createServer((request, response) => {
    answer(request, endpoint, handlers)
      .then(({ status, body, json }) => send(response, status, body, json))
      .catch((error: unknown) => {
        if (error instanceof CognitoError) {
          send(response, error.status, { __type: error.code, message: error.message });
          return;
        }
        handlers.onInternalError(error);
        send(response, 500, {
          __type: 'InternalErrorException',
          message: 'The local user pool failed; see its log',
        });
      });
  });
  const { address, port } = await listenOnLoopback(server, options.port, options.host);
  endpoint = `http://${address}:${port}`;
  return {
    endpoint,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}

async function answer(
  request: IncomingMessage,
  endpoint: string,
  handlers: CognitoEndpointHandlers,
): Promise<{ status: number; body: unknown; json?: boolean }> {
  const text = await readBody(request);
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const wellKnown = WELL_KNOWN.exec(path);
  if (request.method === 'GET' && wellKnown) {
    const document = handlers.wellKnown(wellKnown[1] ?? '', wellKnown[2] ?? '', endpoint);
    return document === undefined
      ? { status: 404, body: { message: `No ${path} on the local user pools` }, json: true }
      : { status: 200, body: document, json: true };
  }
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
    throw new CognitoError(
      'UnknownOperationException',
      `Expected POST / with an X-Amz-Target header of the form ${TARGET_PREFIX}<Action>, or GET /<poolId>/.well-known/jwks.json`,
    );
  }
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new CognitoError('SerializationException', 'The request body is not valid JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CognitoError('SerializationException', 'The request body must be a JSON object');
  }
  return {
    status: 200,
    body: await handlers.action(target.slice(TARGET_PREFIX.length), input as Record<string, unknown>),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES)
    throw new CognitoError('InvalidParameterException', 'The request body is larger than 1 MiB', 413);
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown, json = false): void {
  const text = JSON.stringify(body ?? {}, function (this: Record<string, unknown>, key, value: unknown) {
    // Date.toJSON ran already: the holder still has the Date, sent as epoch seconds.
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    'content-type': json ? 'application/json' : 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}
