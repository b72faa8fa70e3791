import { describe, expect, it } from 'vitest';
import { openApiProblem } from './openapi-responses.ts';

const orderId = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';
const anOrderBody = () => ({
  orderId,
  customerId: 'c-1',
  status: 'PAID',
  currency: 'EUR',
  items: [{ sku: 'BOOK-42', quantity: 1, unitPrice: 1250 }],
  total: 1250,
  payment: { method: 'card', status: 'CAPTURED', attempts: 1 },
  createdAt: '2026-12-03T10:00:00.000Z',
  updatedAt: '2026-12-03T10:00:01.000Z',
});

describe('the check of answers against openapi.json', () => {
  it('passes an answer the document describes', () => {
    expect(openApiProblem('GET', `/orders/${orderId}`, 200, anOrderBody())).toBeUndefined();
    expect(openApiProblem('GET', `/orders/${orderId}`, 401, { message: 'Unauthorized' })).toBeUndefined();
  });

  it('fails a body unlike its schema, naming the field', () => {
    const { total: _dropped, ...withoutTotal } = anOrderBody();
    expect(openApiProblem('GET', `/orders/${orderId}`, 200, withoutTotal)).toMatch(
      /^GET \/orders\/\{orderId\} answered 200 with a body unlike #\/components\/schemas\/Order: \(body\) must have required property 'total'/,
    );
  });

  it('fails a status the route does not document', () => {
    expect(
      openApiProblem('GET', `/orders/${orderId}`, 409, { error: { code: 'conflict', message: 'x' } }),
    ).toBe('GET /orders/{orderId} answered 409, a status openapi.json does not document for it');
  });

  it("holds a path no route matches to the $default route's error shape", () => {
    const notFound = { error: { code: 'not_found', message: 'No route for GET /nowhere' } };
    expect(openApiProblem('GET', '/nowhere', 404, notFound)).toBeUndefined();
    expect(openApiProblem('GET', '/nowhere', 200, {})).toBe(
      'GET /nowhere answered 200, but no route of openapi.json matches it',
    );
  });
});
