import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalCloud } from '../src/cloud.ts';
import type { LogEntry } from '../src/contracts.ts';
import { anOrder, apiClient, awsClients, eventually, startTestCloud } from './e2e-support.ts';

/**
 * A corpus of hostile requests against every route of the HTTP API, on the local cloud (real HTTP,
 * the real handler bundles, the emulators). Each one must get a 4xx with the error shape of the
 * HTTP contract, write nothing (no item in any table, no event on the bus) and never put a payment
 * token in a log line.
 */
let cloud: LocalCloud;
let aws: ReturnType<typeof awsClients>;
const logs: LogEntry[] = [];
const events: string[] = [];

beforeAll(async () => {
  cloud = await startTestCloud((entry) => logs.push(entry));
  aws = awsClients(cloud);
  cloud.eventBridge.onEvent((accepted) => events.push(accepted.event['detail-type']));
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
});

// Secrets that must never appear in a log line. The second is not shaped like a test token, so
// only redaction by field name can keep it out.
const CANARY_TOKEN = 'tok_canary_4242';
const OPAQUE_TOKEN = 'pm-opaque-secret-7f3a9c';

interface HostileRequest {
  name: string;
  method: string;
  path: string;
  /** A string is sent as it is (it may not be JSON at all); anything else is JSON.stringify'd. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

const order = (overrides: Record<string, unknown> = {}) =>
  anOrder({ payment: { method: 'card', token: CANARY_TOKEN }, ...overrides });
const item = (overrides: Record<string, unknown>) => ({
  sku: 'BOOK-1',
  quantity: 1,
  unitPrice: 1250,
  ...overrides,
});
const orderText = JSON.stringify(order());
const withFirstKey = (json: string) => `{${json},${orderText.slice(1)}`;

const placeOrder = (
  name: string,
  body: unknown,
  status = 400,
  code = 'validation_failed',
): HostileRequest => ({
  name,
  method: 'POST',
  path: '/orders',
  body,
  status,
  code,
});

const orderBodies: HostileRequest[] = [
  // Not JSON, or not all of it.
  placeOrder('malformed JSON', '{"customerId": "cus_1", ', 400, 'malformed_json'),
  placeOrder('a truncated order', orderText.slice(0, orderText.length - 20), 400, 'malformed_json'),
  placeOrder('an empty body', '', 400, 'malformed_json'),
  placeOrder('JSON with a trailing comma', `${orderText.slice(0, -1)},}`, 400, 'malformed_json'),
  placeOrder('JSON with a comment', `/* order */ ${orderText}`, 400, 'malformed_json'),
  placeOrder('null', 'null'),
  placeOrder('an array', '[]'),
  placeOrder('a string', '"an order"'),
  // Wrong types.
  placeOrder('a quantity as a string', order({ items: [item({ quantity: '2' })] })),
  placeOrder('items as an object', order({ items: { sku: 'BOOK-1', quantity: 1, unitPrice: 1250 } })),
  placeOrder('a numeric customerId', order({ customerId: 42 })),
  placeOrder('an unknown currency', order({ currency: 'eur' })),
  placeOrder('an unknown payment method', order({ payment: { method: 'crypto', token: CANARY_TOKEN } })),
  placeOrder('a card payment with no token', order({ payment: { method: 'card' } })),
  placeOrder('a token that is a number', order({ payment: { method: 'card', token: 4242 } })),
  // Huge, negative and fractional amounts.
  placeOrder('a unitPrice of 1e308', order({ items: [item({ unitPrice: 1e308 })] })),
  placeOrder('a quantity of 2^53', order({ items: [item({ quantity: 2 ** 53 })] })),
  placeOrder(
    'a unitPrice beyond 2^53',
    orderText.replace('"unitPrice":1250', '"unitPrice":9007199254740993'),
  ),
  placeOrder(
    'a total over the maximum amount',
    order({
      items: Array.from({ length: 100 }, (_, i) =>
        item({ sku: `SKU-${i}`, quantity: 1000, unitPrice: 9e10 }),
      ),
    }),
  ),
  placeOrder('a negative quantity', order({ items: [item({ quantity: -1 })] })),
  placeOrder('a zero quantity', order({ items: [item({ quantity: 0 })] })),
  placeOrder('a negative unitPrice', order({ items: [item({ unitPrice: -100 })] })),
  placeOrder('float money', order({ items: [item({ unitPrice: 12.5 })] })),
  placeOrder('no items', order({ items: [] })),
  placeOrder(
    'too many items',
    order({ items: Array.from({ length: 101 }, (_, i) => item({ sku: `SKU-${i}` })) }),
  ),
  // Unicode and control characters.
  placeOrder('a NUL in the customerId', order({ customerId: 'cus\u0000admin' })),
  placeOrder('a right-to-left override in a sku', order({ items: [item({ sku: 'BOOK\u202e1' })] })),
  placeOrder('full-width letters in the customerId', order({ customerId: 'ｃｕｓ１' })),
  placeOrder('an emoji sku', order({ items: [item({ sku: '📦' })] })),
  placeOrder('a lone surrogate', orderText.replace('"cus_e2e"', '"cus_\\ud800"')),
  placeOrder('a newline in the customerId', order({ customerId: 'cus_1\nINFO forged log line' })),
  // Prototype pollution.
  placeOrder('a __proto__ key', withFirstKey('"__proto__":{"isAdmin":true}')),
  placeOrder('a constructor.prototype key', withFirstKey('"constructor":{"prototype":{"isAdmin":true}}')),
  placeOrder(
    'a __proto__ key inside an item',
    orderText.replace('{"sku":"BOOK-1"', '{"__proto__":{"unitPrice":1},"sku":"BOOK-1"'),
  ),
  placeOrder('an unknown field', order({ discount: 100 })),
  // Very long strings (the body stays under the 64 KiB limit).
  placeOrder('a 10,000-character customerId', order({ customerId: 'c'.repeat(10_000) })),
  placeOrder('a 60,000-character sku', order({ items: [item({ sku: 'S'.repeat(60_000) })] })),
  placeOrder(
    'a 5,000-character token',
    order({ payment: { method: 'card', token: `${CANARY_TOKEN}${'x'.repeat(5000)}` } }),
  ),
  // Duplicate keys: which one wins differs between parsers, so neither is accepted.
  placeOrder('a duplicate top-level key', withFirstKey('"customerId":"cus_other"'), 400, 'malformed_json'),
  placeOrder(
    'a duplicate key inside an item',
    orderText.replace('"unitPrice":1250', '"unitPrice":1,"unitPrice":1250'),
    400,
    'malformed_json',
  ),
  placeOrder(
    'a duplicate token',
    orderText.replace(`"token":"${CANARY_TOKEN}"`, `"token":"${OPAQUE_TOKEN}","token":"${CANARY_TOKEN}"`),
    400,
    'malformed_json',
  ),
  // Nesting deeper than a recursive parser can follow, inside the size limit.
  placeOrder(
    'an unknown field nested 30,000 deep',
    withFirstKey(`"extra":${'['.repeat(30_000)}${']'.repeat(30_000)}`),
  ),
  placeOrder(
    'a duplicate key nested 20,000 deep',
    withFirstKey(`"extra":${'['.repeat(20_000)}{"a":1,"a":2}${']'.repeat(20_000)}`),
    400,
    'malformed_json',
  ),
  // Headers.
  {
    name: 'no content type',
    method: 'POST',
    path: '/orders',
    body: Buffer.from(orderText),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a text/plain body',
    method: 'POST',
    path: '/orders',
    body: orderText,
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a form post',
    method: 'POST',
    path: '/orders',
    body: 'customerId=cus_1&currency=EUR',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a body over 64 KiB',
    method: 'POST',
    path: '/orders',
    body: order({ customerId: 'c'.repeat(70 * 1024) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a 300-character Idempotency-Key',
    method: 'POST',
    path: '/orders',
    body: order(),
    headers: { 'idempotency-key': 'k'.repeat(300) },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an Idempotency-Key with spaces',
    method: 'POST',
    path: '/orders',
    body: order(),
    headers: { 'idempotency-key': 'my key; DROP TABLE orders' },
    status: 400,
    code: 'validation_failed',
  },
];

// Ids that are not ids: traversal, injection, markup, oversized and odd characters. Percent-encoded,
// so they reach the function as one path parameter.
const hostileIds = [
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  "ord_1'%20OR%20'1'%3D'1",
  '%7B%22%24ne%22%3Anull%7D',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  'ord_'.padEnd(2000, 'A'),
  '%00',
  'ord_%E2%80%AE01',
];

const idRoutes: { route: string; method: string; path: (id: string) => string }[] = [
  { route: 'GET /orders/{orderId}', method: 'GET', path: (id) => `/orders/${id}` },
  { route: 'POST /orders/{orderId}/cancel', method: 'POST', path: (id) => `/orders/${id}/cancel` },
  { route: 'POST /payments/{orderId}/confirm', method: 'POST', path: (id) => `/payments/${id}/confirm` },
  { route: 'GET /invoices/{invoiceId}', method: 'GET', path: (id) => `/invoices/${id}` },
];

const idRequests: HostileRequest[] = idRoutes.flatMap(({ route, method, path }) =>
  hostileIds.map((id) => ({
    name: `${route} with the id ${decodeURIComponent(id).slice(0, 40)}`,
    method,
    path: path(id),
    status: 404,
    code: 'not_found',
  })),
);

const wrongMethods: HostileRequest[] = [
  ['PUT', '/orders'],
  ['DELETE', '/orders/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6'],
  ['GET', '/orders/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6/cancel'],
  ['PATCH', '/invoices/inv_01JBQ3Z8X7K2M4N6P8R0S2T4V6'],
  ['GET', '/payments/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6/confirm'],
].map(([method = '', path = '']) => ({
  name: `${method} ${path}`,
  method,
  path,
  ...(method === 'PUT' || method === 'PATCH' ? { body: order() } : {}),
  status: 405,
  code: 'method_not_allowed',
}));

const unknownPaths: HostileRequest[] = ['/orderz', '/orders/ord_1/refund', '/admin', '/.env'].map((path) => ({
  name: `GET ${path}`,
  method: 'GET',
  path,
  status: 404,
  code: 'not_found',
}));

async function send(request: HostileRequest) {
  const headers: Record<string, string> = { ...request.headers };
  let body: string | Buffer | undefined;
  if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) body = request.body;
  else if (request.body !== undefined) body = JSON.stringify(request.body);
  if (
    typeof body === 'string' &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${cloud.url}${request.path}`, {
    method: request.method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

async function footprint() {
  const [orders, idempotency, payments, invoices] = await Promise.all(
    ['orders', 'idempotency', 'payments', 'invoices'].map((table) => aws.count(table)),
  );
  return { orders, idempotency, payments, invoices, events: events.length };
}

describe('a hostile request to the HTTP API', () => {
  it.each([...orderBodies, ...idRequests, ...wrongMethods, ...unknownPaths])(
    'is refused: $name',
    async (request) => {
      const before = await footprint();
      const response = await send(request);

      expect(response.status).toBe(request.status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = JSON.parse(response.text);
      expect(body).toEqual({
        error: {
          code: request.code,
          message: expect.any(String),
          ...(body.error.details ? { details: expect.any(Array) } : {}),
        },
      });
      expect(Object.keys(body.error).sort()).toEqual(
        body.error.details ? ['code', 'details', 'message'] : ['code', 'message'],
      );
      // Nothing of the request is echoed back: no token, no hostile string.
      expect(response.text).not.toContain(CANARY_TOKEN);
      expect(response.text).not.toContain('<script>');
      expect(await footprint()).toEqual(before);
    },
  );

  it('over the gateway header limit is refused before any function runs, and writes nothing', async () => {
    const before = await footprint();
    const response = await send({
      name: 'oversized headers',
      method: 'POST',
      path: '/orders',
      body: order(),
      headers: { 'x-padding': 'p'.repeat(20_000) },
      status: 431,
      code: '',
    });
    // API Gateway answers this itself (its own body, not the contract's shape): no function sees it.
    expect(response.status).toBe(431);
    expect(await footprint()).toEqual(before);
  });

  it('tells the client which methods a known path accepts', async () => {
    const response = await send({ ...wrongMethods[0], name: 'PUT /orders' } as HostileRequest);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('payment tokens', () => {
  it('never appear in a log line, through the whole flow of an order', async () => {
    const api = apiClient(cloud);
    const placed = await api.placeOrder({ method: 'card', token: OPAQUE_TOKEN });
    expect(placed.status).toBe(202);
    const failed = await eventually(
      () => api.getOrder(placed.body.orderId),
      (response) => response.body?.status === 'PAYMENT_FAILED',
    );
    expect(failed.body.payment.reason).toBe('card_declined');
    const visa = await api.placeOrder({ method: 'card', token: 'tok_visa' });
    await eventually(
      () => api.getOrder(visa.body.orderId),
      (response) => response.body?.status === 'INVOICED',
    );

    // The corpus above sent the canary in many refused requests; these orders carried tokens
    // through the queue, the workflow and the provider.
    expect(logs.length).toBeGreaterThan(50);
    const leaked = logs.filter((entry) =>
      [CANARY_TOKEN, OPAQUE_TOKEN, 'tok_visa'].some((token) => JSON.stringify(entry).includes(token)),
    );
    expect(leaked).toEqual([]);
  });
});
