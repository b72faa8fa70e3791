import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { LocalService } from '../contracts.ts';
import { forwardRequest } from '../kit/forward-request.ts';
import { serveOnLoopback } from '../kit/http-server.ts';
import { readRequestBody } from '../kit/request-body.ts';
import { accessDeniedAnswer, type Caller, type HttpAnswer } from './access-denied.ts';
import type { LocalIam } from './local-iam.ts';
import type { IamService } from './requested-access.ts';

/**
 * A small HTTP proxy in front of one service's local endpoint: a call signed with a function's
 * credentials (the access key id in SigV4's `Credential=`) is checked against the function's role
 * and refused with the service's own AccessDenied answer, or passed on unchanged. Calls signed with
 * any other key, or not signed, pass unchecked and unread.
 */
export interface IamGatewayOptions {
  service: Exclude<IamService, 'lambda'>;
  /** The endpoint behind the gateway: the emulator, or the service's own server. */
  target: string;
  iam: LocalIam;
}

/** The largest request the services take is DynamoDB's 16 MiB BatchWriteItem. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function startIamGateway({ service, target, iam }: IamGatewayOptions): Promise<LocalService> {
  const upstream = new URL(target);
  const server = createServer((request, response) => {
    const call = functionCallOf(iam, request.headers);
    if (!call) {
      forwardRequest(request, response, upstream);
      return;
    }
    readRequestBody(request, MAX_BODY_BYTES)
      .then((body) => {
        if (body === 'too-large') {
          response.writeHead(413, { 'content-type': 'text/plain' });
          response.end(`The request body is larger than ${MAX_BODY_BYTES} bytes`);
          return;
        }
        const denied = deniedAnswer(iam, service, call, parsedInput(body));
        if (!denied) {
          forwardRequest(request, response, upstream, body);
          return;
        }
        response.writeHead(denied.status, denied.headers);
        response.end(denied.body);
      })
      .catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`IAM gateway: ${(error as Error).message}`);
      });
  });
  const listening = await serveOnLoopback(server);
  return { endpoint: listening.endpoint, stop: () => listening.close() };
}

/** A call signed with a function's credentials: who makes it, and the operation its `X-Amz-Target` names. */
export interface FunctionCall {
  caller: Caller;
  operation: string;
}

/** The function's call a request is, or undefined for a request signed with any other key, or none. */
export function functionCallOf(iam: LocalIam, headers: IncomingHttpHeaders): FunctionCall | undefined {
  const accessKeyId = signingKeyId(headers);
  const caller = accessKeyId === undefined ? undefined : iam.callerOf(accessKeyId);
  const operation = String(headers['x-amz-target'] ?? '')
    .split('.')
    .at(-1);
  return caller && operation ? { caller, operation } : undefined;
}

/** The service's AccessDenied answer to a call its caller's role does not allow; undefined when it does. */
export function deniedAnswer(
  iam: LocalIam,
  service: Exclude<IamService, 'lambda'>,
  { caller, operation }: FunctionCall,
  input: Record<string, unknown>,
): HttpAnswer | undefined {
  const result = iam.check(caller, service, operation, input);
  return result.allowed ? undefined : accessDeniedAnswer(service, result.message);
}

/** `AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, ...` */
function signingKeyId(headers: IncomingHttpHeaders): string | undefined {
  const { authorization } = headers;
  return authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
}

/** The JSON request of an AWS JSON protocol call; a body that is not one names no resource. */
function parsedInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const input: unknown = JSON.parse(body.toString('utf8'));
    return typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
