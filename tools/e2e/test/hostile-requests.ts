import { ROUTES } from '@shop/contracts/routes';
import { BANK_TRANSFER_WEBHOOK_PATH } from '../src/clients/bank-webhook.ts';
import { anOrder } from './an-order.ts';

/**
 * The hostile requests of e2e-hostile-input.test.ts, route by route, each with the status and
 * error code the HTTP contract gives it: bodies of POST /orders, ids in the paths, the bank's
 * notices with hostile content (correctly signed, so that the body is what is refused), methods
 * and paths no route has.
 */
// Secrets that must never appear in a log line. The second is not shaped like a test token, so
// only redaction by field name can keep it out.
export const CANARY_TOKEN = 'tok_canary_4242';
export const OPAQUE_TOKEN = 'pm-opaque-secret-7f3a9c';
export const UNKNOWN_ORDER_ID = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';

export interface HostileRequest {
  name: string;
  method: string;
  path: string;
  /** A string is sent as it is (it may not be JSON at all); anything else is JSON.stringify'd. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent instead of the test customer's `Bearer <access token>`; '' sends no Authorization header. */
  authorization?: string;
  /** Signed as the bank signs its webhooks when it is sent, with no customer token. */
  signed?: boolean;
  status: number;
  code: string;
  /** A field the error's details must name. */
  names?: string;
}

export const order = (overrides: Record<string, unknown> = {}) =>
  anOrder({ payment: { method: 'card', token: CANARY_TOKEN }, ...overrides });
const item = (overrides: Record<string, unknown>) => ({
  sku: 'BOOK-1',
  quantity: 1,
  unitPrice: 1250,
  ...overrides,
});
const orderText = JSON.stringify(order());
const withFirstKey = (json: string) => `{${json},${orderText.slice(1)}`;

/** A POST to `path` with `body`, refused with `status` and `code`, naming the field `names` when given. */
const refusedPost =
  (path: string, title: (name: string) => string, options: Partial<HostileRequest> = {}) =>
  (
    name: string,
    body: unknown,
    status = 400,
    code = 'validation_failed',
    names?: string,
  ): HostileRequest => ({
    name: title(name),
    method: 'POST',
    path,
    body,
    status,
    code,
    ...(names ? { names } : {}),
    ...options,
  });
const placeOrder = refusedPost('/orders', (name) => name);

/** The customer is the token's `sub`: a body that names one is refused, by that field's name. */
const namingCustomer = (name: string, customerId: unknown) =>
  placeOrder(name, order({ customerId }), 400, 'validation_failed', 'customerId');

export const orderBodies: HostileRequest[] = [
  // Not JSON, or not all of it.
  placeOrder('malformed JSON', '{"currency": "EUR", ', 400, 'malformed_json'),
  placeOrder('a truncated order', orderText.slice(0, orderText.length - 20), 400, 'malformed_json'),
  placeOrder('an empty body', '', 400, 'malformed_json'),
  placeOrder('JSON with a trailing comma', `${orderText.slice(0, -1)},}`, 400, 'malformed_json'),
  placeOrder('JSON with a comment', `/* order */ ${orderText}`, 400, 'malformed_json'),
  placeOrder('null', 'null'),
  placeOrder('an array', '[]'),
  placeOrder('a string', '"an order"'),
  // A customer named in the body: whoever it names, the token says who orders.
  namingCustomer('a customerId', 'cus_1'),
  namingCustomer('a numeric customerId', 42),
  namingCustomer('a null customerId', null),
  namingCustomer('a customerId as an object', { $ne: null }),
  namingCustomer('a 10,000-character customerId', 'c'.repeat(10_000)),
  // Wrong types.
  placeOrder('a quantity as a string', order({ items: [item({ quantity: '2' })] })),
  placeOrder('items as an object', order({ items: { sku: 'BOOK-1', quantity: 1, unitPrice: 1250 } })),
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
  placeOrder('a NUL in a sku', order({ items: [item({ sku: 'BOOK\u0000admin' })] })),
  placeOrder('a right-to-left override in a sku', order({ items: [item({ sku: 'BOOK\u202e1' })] })),
  placeOrder('full-width letters in a sku', order({ items: [item({ sku: 'ＢＯＯＫ１' })] })),
  placeOrder('an emoji sku', order({ items: [item({ sku: '📦' })] })),
  placeOrder('a lone surrogate', orderText.replace('"BOOK-1"', '"BOOK-\\ud800"')),
  placeOrder('a newline in a sku', order({ items: [item({ sku: 'BOOK-1\nINFO forged log line' })] })),
  // Prototype pollution.
  placeOrder('a __proto__ key', withFirstKey('"__proto__":{"isAdmin":true}')),
  placeOrder('a constructor.prototype key', withFirstKey('"constructor":{"prototype":{"isAdmin":true}}')),
  placeOrder(
    'a __proto__ key inside an item',
    orderText.replace('{"sku":"BOOK-1"', '{"__proto__":{"unitPrice":1},"sku":"BOOK-1"'),
  ),
  placeOrder('an unknown field', order({ discount: 100 })),
  // Very long strings (the body stays under the 64 KiB limit).
  placeOrder('a 60,000-character sku', order({ items: [item({ sku: 'S'.repeat(60_000) })] })),
  placeOrder(
    'a 5,000-character token',
    order({ payment: { method: 'card', token: `${CANARY_TOKEN}${'x'.repeat(5000)}` } }),
  ),
  // Duplicate keys: which one wins differs between parsers, so neither is accepted.
  placeOrder('a duplicate top-level key', withFirstKey('"currency":"USD"'), 400, 'malformed_json'),
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
    body: 'currency=EUR&sku=BOOK-1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a body over 64 KiB',
    method: 'POST',
    path: '/orders',
    body: order({ items: [item({ sku: 'S'.repeat(70 * 1024) })] }),
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
  { route: 'GET /invoices/{invoiceId}', method: 'GET', path: (id) => `/invoices/${id}` },
];

export const idRequests: HostileRequest[] = idRoutes.flatMap(({ route, method, path }) =>
  hostileIds.map((id) => ({
    name: `${route} with the id ${decodeURIComponent(id).slice(0, 40)}`,
    method,
    path: path(id),
    status: 404,
    code: 'not_found',
  })),
);

/** A notice the bank could send, for an order that does not exist. */
const notice = (overrides: Record<string, unknown> = {}) => ({
  orderId: UNKNOWN_ORDER_ID,
  amount: 2999,
  currency: 'EUR',
  reference: 'trf_hostile_1',
  paidAt: '2026-01-15T10:00:00Z',
  ...overrides,
});
const webhookNotice = refusedPost(BANK_TRANSFER_WEBHOOK_PATH, (name) => `a signed bank notice with ${name}`, {
  signed: true,
});

// The bank's notice names its order in the body: the hostile ids go there, correctly signed.
export const webhookRequests: HostileRequest[] = [
  ...hostileIds.map((id) =>
    webhookNotice(
      `the orderId ${decodeURIComponent(id).slice(0, 40)}`,
      notice({ orderId: decodeURIComponent(id) }),
      400,
      'validation_failed',
      'orderId',
    ),
  ),
  webhookNotice('an order that does not exist', notice(), 404, 'not_found'),
  webhookNotice('malformed JSON', '{"orderId": ', 400, 'malformed_json'),
  webhookNotice('an empty body', '', 400, 'malformed_json'),
  webhookNotice(
    'a duplicate amount',
    JSON.stringify(notice()).replace('"amount":2999', '"amount":1,"amount":2999'),
    400,
    'malformed_json',
  ),
  webhookNotice('an amount in major units', notice({ amount: '29.99' }), 400, 'validation_failed', 'amount'),
  webhookNotice('a fractional amount', notice({ amount: 29.99 }), 400, 'validation_failed', 'amount'),
  webhookNotice('a negative amount', notice({ amount: -2999 }), 400, 'validation_failed', 'amount'),
  webhookNotice('an unknown currency', notice({ currency: 'XBT' }), 400, 'validation_failed', 'currency'),
  webhookNotice(
    'a reference with a space',
    notice({ reference: 'trf 1' }),
    400,
    'validation_failed',
    'reference',
  ),
  webhookNotice(
    'a 65-character reference',
    notice({ reference: 'r'.repeat(65) }),
    400,
    'validation_failed',
    'reference',
  ),
  webhookNotice(
    'a paidAt that is no date',
    notice({ paidAt: 'yesterday' }),
    400,
    'validation_failed',
    'paidAt',
  ),
  webhookNotice('an unknown field', notice({ status: 'PAID' }), 400, 'validation_failed'),
  webhookNotice('a __proto__ key', `{"__proto__":{"amount":1},${JSON.stringify(notice()).slice(1)}`),
];

export const wrongMethods: HostileRequest[] = [
  ['PUT', '/orders'],
  ['DELETE', '/orders/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6'],
  ['GET', '/orders/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6/cancel'],
  ['PATCH', '/invoices/inv_01JBQ3Z8X7K2M4N6P8R0S2T4V6'],
  ['GET', BANK_TRANSFER_WEBHOOK_PATH],
  ['PUT', BANK_TRANSFER_WEBHOOK_PATH],
].map(([method = '', path = '']) => ({
  name: `${method} ${path}`,
  method,
  path,
  ...(method === 'PUT' || method === 'PATCH' ? { body: order() } : {}),
  status: 405,
  code: 'method_not_allowed',
}));

/**
 * The methods the HTTP contract's routes accept on a path, as a 405's Allow header lists them:
 * sorted, comma-separated. A `{name}` segment of a route matches any one non-empty segment.
 */
export function allowedMethods(path: string): string {
  const segments = path.split('/');
  const matches = (template: string) => {
    const parts = template.split('/');
    return (
      parts.length === segments.length &&
      parts.every((part, index) =>
        /^\{\w+\}$/.test(part) ? segments[index] !== '' : part === segments[index],
      )
    );
  };
  const methods = Object.keys(ROUTES)
    .map((routeKey) => routeKey.split(' '))
    .filter(([, template = '']) => matches(template))
    .map(([method = '']) => method);
  return [...new Set(methods)].sort().join(', ');
}

// The last one is the confirmation route the signed webhook replaced: it must be gone.
export const unknownPaths: HostileRequest[] = [
  '/orderz',
  '/orders/ord_1/refund',
  '/admin',
  '/.env',
  '/payments/ord_01JBQ3Z8X7K2M4N6P8R0S2T4V6/confirm',
].map((path) => ({
  name: `${path.startsWith('/payments') ? 'POST' : 'GET'} ${path}`,
  method: path.startsWith('/payments') ? 'POST' : 'GET',
  path,
  status: 404,
  code: 'not_found',
}));
