import { type ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import { describeError } from '../kit/service-log.ts';

/** An HTTP answer of the API, before it is written. */
export type Answer = { statusCode: number; headers: Record<string, string | string[]>; body: Buffer };

/**
 * Payload format 2.0 response mapping: an object with a statusCode is a structured response; anything
 * else is sent as a 200 JSON body, the way API Gateway treats a function that returns plain data.
 */
export function toAnswer(payload: unknown): Answer | { malformed: string } {
  if (!isRecord(payload) || payload.statusCode === undefined) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(payload ?? null)),
    };
  }
  const { statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded } = payload;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return { malformed: `statusCode ${JSON.stringify(statusCode)} is not an HTTP status` };
  }
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return { malformed: 'body must be a string (JSON.stringify it)' };
  }
  const outgoing: Record<string, string | string[]> = {};
  if (headers !== undefined) {
    if (!isRecord(headers)) return { malformed: 'headers must be an object' };
    for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = String(value);
  }
  if (multiValueHeaders !== undefined) {
    if (!isRecord(multiValueHeaders)) return { malformed: 'multiValueHeaders must be an object' };
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (!Array.isArray(values)) return { malformed: `multiValueHeaders.${name} must be an array` };
      const key = name.toLowerCase();
      outgoing[key] = [...[outgoing[key] ?? []].flat(), ...values.map(String)];
    }
  }
  if (cookies !== undefined) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) {
      return { malformed: 'cookies must be an array of strings' };
    }
    outgoing['set-cookie'] = [...[outgoing['set-cookie'] ?? []].flat(), ...cookies];
  }
  for (const [name, value] of Object.entries(outgoing)) {
    try {
      validateHeaderName(name);
      for (const item of [value].flat()) validateHeaderValue(name, item);
    } catch (error) {
      return { malformed: `header ${JSON.stringify(name)}: ${describeError(error)}` };
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: outgoing,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/** API Gateway's own answers: `{"message": ...}` with the status. */
export function message(statusCode: number, text: string): Answer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

export function writeAnswer(response: ServerResponse, answer: Answer) {
  for (const [name, value] of Object.entries(answer.headers)) {
    // Framing is the server's business: the function cannot set the length or the transfer encoding.
    if (['content-length', 'transfer-encoding', 'connection'].includes(name)) continue;
    response.setHeader(name, value);
  }
  response.setHeader('content-length', answer.body.length);
  response.writeHead(answer.statusCode);
  response.end(answer.body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
