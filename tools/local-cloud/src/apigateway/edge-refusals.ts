import { randomBytes } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServiceLog } from '../kit/service-log.ts';
import { type Answer, message } from './lambda-response.ts';

/**
 * What API Gateway refuses before any route sees the request: headers over its quota and bytes that
 * are not HTTP. Both are answered with API Gateway's JSON `{"message": ...}` body and logged at INFO,
 * since they are the client's doing.
 */

// An HTTP API quota: "Total combined size of request line and header values: 10240 bytes".
export const MAX_REQUEST_LINE_AND_HEADER_BYTES = 10_240;

/**
 * The AWS docs give the quota but not what API Gateway answers past it: the status HTTP defines for
 * the case (431), in the JSON `message` body of API Gateway's documented refusals.
 */
export const headersTooLarge = (): Answer => message(431, 'Request Header Fields Too Large');

/** The request line and header values, sized as the quota counts them (header names excluded). */
export function requestLineAndHeaderBytes(request: IncomingMessage): number {
  const requestLine = `${request.method} ${request.url} HTTP/${request.httpVersion}`;
  let size = Buffer.byteLength(requestLine, 'latin1');
  for (let index = 1; index < request.rawHeaders.length; index += 2) {
    size += Buffer.byteLength(request.rawHeaders[index] ?? '', 'latin1');
  }
  return size;
}

/**
 * Answers a request Node could not read (the server's `clientError`): headers past Node's own limit
 * get the quota's answer, a request that took too long to arrive Node's 408, anything else API
 * Gateway's `400 {"message":"Bad Request"}`. A socket the client already closed gets nothing.
 */
export function refuseUnreadableRequest(error: NodeJS.ErrnoException, socket: Duplex, log: ServiceLog) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const answer = unreadableRequestAnswer(error.code);
  log.info(`Refused a request it could not read (${error.code ?? error.message}) with ${answer.statusCode}`);
  const head = [
    `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode]}`,
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    `apigw-requestid: ${randomBytes(11).toString('base64')}`,
    `content-length: ${answer.body.length}`,
    'connection: close',
  ];
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), answer.body]));
}

function unreadableRequestAnswer(code: string | undefined): Answer {
  if (code === 'HPE_HEADER_OVERFLOW') return headersTooLarge();
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return message(408, 'Request Timeout');
  return message(400, 'Bad Request');
}
