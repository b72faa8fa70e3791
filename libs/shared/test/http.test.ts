import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../src/errors.ts';
import { httpHandler, MAX_BODY_BYTES } from '../src/http.ts';
import { createObservability } from '../src/observability.ts';
import { httpEvent, lambdaContext } from '../src/testing/events.ts';

const observability = createObservability();
const echo = httpHandler(observability, async (request) => ({
  status: 200,
  body: { received: request.json() },
}));
const post = (body: unknown, headers: Record<string, string> = {}) =>
  echo(httpEvent({ method: 'POST', route: '/things', body, headers }), lambdaContext());
const errorOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}').error;

describe('the HTTP handler wrapper', () => {
  it('parses a JSON body and answers JSON with the correlation id', async () => {
    const event = httpEvent({ method: 'POST', route: '/things', body: { a: 1 } });
    const result = await echo(event, lambdaContext());
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ received: { a: 1 } });
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.headers?.['x-correlation-id']).toBe(event.requestContext.requestId);
  });

  it('accepts a content type with parameters and any case', async () => {
    const result = await post({ a: 1 }, { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(result.statusCode).toBe(200);
  });

  it('decodes a base64-encoded body', async () => {
    const event = httpEvent({
      method: 'POST',
      route: '/things',
      body: Buffer.from('{"a":2}').toString('base64'),
      isBase64Encoded: true,
    });
    const result = await echo(event, lambdaContext());
    expect(JSON.parse(result.body ?? '')).toEqual({ received: { a: 2 } });
  });

  it('refuses a body over 64 KiB with 413 before parsing it', async () => {
    const result = await post(`"${'x'.repeat(MAX_BODY_BYTES)}"`);
    expect(result.statusCode).toBe(413);
    expect(errorOf(result).code).toBe('payload_too_large');
  });

  it('counts the limit in bytes, not characters', async () => {
    const result = await post(`"${'€'.repeat(MAX_BODY_BYTES / 3 + 1)}"`);
    expect(result.statusCode).toBe(413);
  });

  it('refuses a body that is not declared as JSON with 415', async () => {
    for (const contentType of ['text/plain', 'application/jsonx', 'application/x-www-form-urlencoded']) {
      const result = await post({ a: 1 }, { 'content-type': contentType });
      expect(result.statusCode).toBe(415);
      expect(errorOf(result).code).toBe('unsupported_media_type');
    }
  });

  it('refuses malformed, truncated and empty JSON with 400 malformed_json', async () => {
    for (const body of ['{"a":', '{a:1}', "{'a':1}", '', '   ']) {
      const result = await post(body);
      expect(result.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(result).code).toBe('malformed_json');
    }
  });

  it('maps typed errors to their status and the error shape, with details', async () => {
    const cases = [
      [new ValidationError('bad', [{ path: 'items', message: 'Too small' }]), 400, 'validation_failed'],
      [new NotFoundError('gone'), 404, 'not_found'],
      [new ConflictError('late'), 409, 'conflict'],
    ] as const;
    for (const [error, status, code] of cases) {
      const failing = httpHandler(observability, async () => {
        throw error;
      });
      const result = await failing(httpEvent({ method: 'GET', route: '/x' }), lambdaContext());
      expect(result.statusCode).toBe(status);
      expect(errorOf(result)).toEqual({
        code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
    }
  });

  it('answers 500 without leaking the error message or stack', async () => {
    const failing = httpHandler(observability, async () => {
      throw new Error('connect ECONNREFUSED 10.0.0.12:5432 password=hunter2');
    });
    const result = await failing(httpEvent({ method: 'GET', route: '/x' }), lambdaContext());
    expect(result.statusCode).toBe(500);
    expect(errorOf(result).code).toBe('internal_error');
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(result.body).not.toContain('hunter2');
    expect(result.body).not.toContain('at ');
  });
});
