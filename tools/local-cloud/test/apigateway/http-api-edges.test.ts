import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApi, type HttpApi } from '../../src/apigateway/http-api.ts';
import type { LogEntry } from '../../src/contracts.ts';

/**
 * What the local HTTP API answers before any route is involved: requests API Gateway refuses at its
 * edge (headers over its quota, bytes that are not HTTP) and clients that leave mid-request.
 */

let api: HttpApi | undefined;

afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function start() {
  const invoked: string[] = [];
  const logs: LogEntry[] = [];
  api = await createHttpApi({
    routes: [{ routeKey: 'POST /orders', functionName: 'PlaceOrder' }],
    invoker: {
      async invoke(functionName) {
        invoked.push(functionName);
        return { ok: true, payload: { statusCode: 200, body: 'ok' } };
      },
    },
    log: (entry) => logs.push(entry),
  });
  return { url: new URL(api.url), invoked, logs };
}

interface RawAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `bytes` as they are on a fresh socket and reads the answer until the server closes it. */
function sendRaw(url: URL, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(parseAnswer(Buffer.concat(chunks).toString('utf8'))));
    socket.end(bytes);
  });
}

function parseAnswer(text: string): RawAnswer {
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body: text.slice(headEnd + 4) };
}

/** A GET whose request line and header values together take `size` bytes, as API Gateway counts them. */
function requestOfSize(url: URL, size: number): string {
  const requestLine = 'POST /orders HTTP/1.1';
  const fixed = requestLine.length + url.host.length + 'close'.length + '0'.length;
  return [
    requestLine,
    `Host: ${url.host}`,
    'Connection: close',
    'Content-Length: 0',
    `X-Padding: ${'a'.repeat(size - fixed)}`,
    '',
    '',
  ].join('\r\n');
}

const MAX_REQUEST_LINE_AND_HEADERS = 10_240;

describe('requests API Gateway refuses at its edge', () => {
  it('serves a request whose request line and header values are exactly at the 10240-byte quota', async () => {
    const { url, invoked } = await start();

    const answer = await sendRaw(url, requestOfSize(url, MAX_REQUEST_LINE_AND_HEADERS));

    expect(answer.statusCode).toBe(200);
    expect(invoked).toEqual(['PlaceOrder']);
  });

  it('refuses headers one byte over the quota with 431 and a JSON message, without invoking the function', async () => {
    const { url, invoked } = await start();

    const answer = await sendRaw(url, requestOfSize(url, MAX_REQUEST_LINE_AND_HEADERS + 1));

    expect(answer.statusCode).toBe(431);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request Header Fields Too Large' });
    expect(invoked).toEqual([]);
  });

  it('refuses headers over Node’s own 16 KB limit with the same answer', async () => {
    const { url, invoked } = await start();

    const answer = await sendRaw(url, requestOfSize(url, 20 * 1024));

    expect(answer.statusCode).toBe(431);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request Header Fields Too Large' });
    expect(invoked).toEqual([]);
  });

  it.each([
    ['an unparseable request line', 'THIS IS NOT HTTP\r\n\r\n'],
    ['a header line without a colon', 'GET /orders HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a space inside a header name', 'GET /orders HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n'],
    ['a bare CR inside a header value', 'GET /orders HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n'],
    ['a body length that is not a number', 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n'],
  ])('answers %s with 400 and API Gateway’s JSON body', async (_what, bytes) => {
    const { url, invoked, logs } = await start();

    const answer = await sendRaw(url, bytes);

    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({ message: 'Bad Request' });
    expect(invoked).toEqual([]);
    expect(logs.filter((entry) => entry.level === 'ERROR')).toEqual([]);
  });
});

describe('a client that leaves mid-request', () => {
  it('is logged once at INFO with the route, and the function is not invoked', async () => {
    const { url, invoked, logs } = await start();
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });

    const head = `POST /orders HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 1000\r\n\r\n`;
    await new Promise<void>((resolve) => socket.write(`${head}{"half":`, () => resolve()));
    socket.destroy();
    await waitFor(() => logs.some((entry) => /left before|aborted/i.test(entry.message)));

    const aborted = logs.filter((entry) => /left before|aborted/i.test(entry.message));
    expect(aborted).toEqual([expect.objectContaining({ level: 'INFO' })]);
    expect(aborted[0]?.message).toContain('POST /orders');
    expect(logs.filter((entry) => entry.level === 'ERROR')).toEqual([]);
    expect(invoked).toEqual([]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
