import { generateKeyPairSync, type JsonWebKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { EVENTS } from '@shop/contracts/events';
import type { LocalCloud, LocalCustomer, LogEntry } from '@shop/local-cloud';
import { createUserPoolService, type UserPoolService } from '@shop/local-cloud/cognito/user-pool-service';
import { type SignedRequest, signWebhook } from '@shop/testing/bank-webhook';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_TRANSFER_WEBHOOK_PATH } from '../src/clients/bank-webhook.ts';
import { anOrder, apiClient, awsClients, bank, startTestCloud } from './e2e-support.ts';
import {
  allowedMethods,
  CANARY_TOKEN,
  type HostileRequest,
  idRequests,
  OPAQUE_TOKEN,
  order,
  orderBodies,
  UNKNOWN_ORDER_ID,
  unknownPaths,
  webhookRequests,
  wrongMethods,
} from './hostile-requests.ts';
import {
  hmacSigned,
  partsOf,
  poolSigningKey,
  publicKeyPem,
  resigned,
  tampered,
  unsigned,
} from './hostile-tokens.ts';

/**
 * A corpus of hostile requests against every route of the HTTP API, on the local cloud (real HTTP,
 * the real handler bundles, the emulators). Each one must get the documented 4xx with its error
 * shape (API Gateway's own for a refused customer token, the contract's for the rest), write
 * nothing (no item in any table, no event on the bus) and never put a payment token, a sign-in
 * token, a webhook signature or the webhook secret in a log line.
 */
let cloud: LocalCloud;
let aws: ReturnType<typeof awsClients>;
let persistDir: string;
/** The customer whose access token the corpus carries: the corpus is about bodies, ids and methods. */
let customer: LocalCustomer;
/** The private key of the user pool the API trusts. */
let poolKey: JsonWebKey;
const logs: LogEntry[] = [];
const events: { type: string; orderId?: string }[] = [];
/** Every token, signature and secret sent: none may appear in a log line. */
const credentials = new Set<string>();
/** A webhook secret that is not the stage's, in the same form (base64). */
const OTHER_SECRET = randomBytes(32).toString('base64');

beforeAll(async () => {
  persistDir = mkdtempSync(join(tmpdir(), 'hostile-input-'));
  // Tokens with wrong claims (expired, another audience, issuer or token use) must carry the real
  // pool's signature, or the signature check refuses them first: the pool keeps its key in its
  // persist folder, so this cloud has one.
  cloud = await startTestCloud((entry) => logs.push(entry), { persistDir });
  aws = awsClients(cloud);
  cloud.eventBridge.onEvent(({ event }) => {
    const detail = event.detail as { data?: { orderId?: string } } | undefined;
    events.push({ type: event['detail-type'], orderId: detail?.data?.orderId });
  });
  customer = remember(await cloud.identity.createCustomer('hostile-input'));
  poolKey = poolSigningKey(persistDir, apiUserPool().userPoolId);
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
  if (persistDir) rmSync(persistDir, { recursive: true, force: true });
});

function apiUserPool() {
  const pool = cloud.identity.apiUserPool;
  if (!pool) throw new Error('No route of the HTTP API has a JWT authorizer');
  return pool;
}

function remember<T extends { accessToken: string; idToken: string; refreshToken: string }>(signedIn: T): T {
  for (const token of [signedIn.accessToken, signedIn.idToken, signedIn.refreshToken]) credentials.add(token);
  return signedIn;
}

function bodyText(body: unknown): string | Buffer | undefined {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  return body === undefined ? undefined : JSON.stringify(body);
}

/** The bank's signature headers for a body, signed now with the stage's secret unless said. */
function sign(body: string, options: { secret?: string; id?: string; timestamp?: Date } = {}) {
  const { secret = bank(cloud).secret(), ...signing } = options;
  return signWebhook(secret, body, signing);
}

async function send(request: Omit<HostileRequest, 'status' | 'code'>) {
  const body = bodyText(request.body);
  const headers: Record<string, string> = request.signed
    ? sign(typeof body === 'string' ? body : '').headers
    : authorized(request.authorization);
  Object.assign(headers, request.headers);
  if (
    typeof body === 'string' &&
    !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')
  ) {
    headers['content-type'] = 'application/json';
  }
  return fetchText(request.method, request.path, headers, body);
}

/** The test customer's Authorization header, or the one given ('' for none). */
function authorized(authorization = `Bearer ${customer.accessToken}`): Record<string, string> {
  const token = authorization.replace(/^bearer\s*/i, '');
  if (token.length >= 16) credentials.add(token);
  return authorization === '' ? {} : { authorization };
}

async function fetchText(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
) {
  for (const signature of (headers['webhook-signature'] ?? '').split(' ').filter(Boolean)) {
    credentials.add(signature);
    credentials.add(signature.replace(/^v1,/, ''));
  }
  const response = await fetch(`${cloud.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

/** The bank posts a signed request as it is (headers, then a body that may differ from the one signed). */
const postWebhook = (request: SignedRequest) =>
  fetchText('POST', BANK_TRANSFER_WEBHOOK_PATH, request.headers, request.body);

async function footprint() {
  const [orders, idempotency, payments, invoices] = await Promise.all(
    ['orders', 'idempotency', 'payments', 'invoices'].map((table) => aws.count(table)),
  );
  return { orders, idempotency, payments, invoices, events: events.length };
}

const invocations = () => cloud.lambda.stats().reduce((total, fn) => total + fn.invocations, 0);

function expectContractError(
  response: { status: number; headers: Headers; text: string },
  expected: { status: number; code: string; names?: string },
) {
  expect(response.status).toBe(expected.status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(response.text);
  expect(body).toEqual({
    error: {
      code: expected.code,
      message: expect.any(String),
      ...(body.error.details ? { details: expect.any(Array) } : {}),
    },
  });
  expect(Object.keys(body.error).sort()).toEqual(
    body.error.details ? ['code', 'details', 'message'] : ['code', 'message'],
  );
  if (expected.names) {
    expect(body.error.details).toContainEqual(expect.objectContaining({ path: expected.names }));
  }
}

/** API Gateway's own refusal of a customer token, with the reason its authorizer gives (none: no token at all). */
function expectUnauthorized(response: { status: number; headers: Headers; text: string }, reason?: string) {
  expect(response.status).toBe(401);
  expect(JSON.parse(response.text)).toEqual({ message: 'Unauthorized' });
  expect(response.headers.get('www-authenticate')).toBe(
    reason === undefined ? 'Bearer' : `Bearer scope="" error="invalid_token" error_description="${reason}"`,
  );
}

/**
 * Nothing is still on its way: no function runs or waits to, and every queue a function consumes
 * is empty. A message redelivered after the (shortened) visibility timeout republishes its event,
 * under the same id, even after another delivery of it was done.
 */
async function quiet() {
  if (cloud.lambda.stats().some((fn) => fn.busy > 0 || fn.queued > 0)) return false;
  const consumed = cloud.model.queues.filter((queue) => queue.attributes.RedrivePolicy);
  const counts = await Promise.all(
    consumed.map(async (queue) => {
      const { Attributes = {} } = await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
      );
    }),
  );
  return counts.every((count) => count === 0);
}

/** The order once it is INVOICED, its PaymentCaptured applied, and nothing more on its way. */
async function invoiced(client: ReturnType<typeof apiClient>, orderId: string) {
  const settled = await eventually(
    () => client.getOrder(orderId),
    // A card's capture brings its attempts; a transfer has none to bring.
    (response) =>
      response.body?.status === 'INVOICED' &&
      (response.body.payment.method !== 'card' || response.body.payment.attempts > 0),
  );
  await eventually(
    async () => events.filter((event) => event.orderId === orderId).map((event) => event.type),
    (types) => types.includes(EVENTS.InvoiceIssued.type),
  );
  await eventually(quiet, Boolean);
  return settled.body;
}

describe('a hostile request to the HTTP API, from a signed-in customer', () => {
  it.each([...orderBodies, ...idRequests, ...webhookRequests, ...wrongMethods, ...unknownPaths])(
    'is refused: $name',
    async (request) => {
      const before = await footprint();
      const response = await send(request);

      expectContractError(response, request);
      // Nothing of the request is echoed back: no token, no hostile string.
      expect(response.text).not.toContain(CANARY_TOKEN);
      expect(response.text).not.toContain('<script>');
      expect(await footprint()).toEqual(before);
    },
  );

  it('over the gateway header limit is refused before any function runs, and writes nothing', async () => {
    const before = await footprint();
    const ran = invocations();
    const response = await send({
      name: 'oversized headers',
      method: 'POST',
      path: '/orders',
      body: order(),
      headers: { 'x-padding': 'p'.repeat(20_000) },
    });
    // API Gateway answers this itself (its own body, not the contract's shape): no function sees it.
    expect(response.status).toBe(431);
    expect(invocations()).toBe(ran);
    expect(await footprint()).toEqual(before);
  });

  it.each(wrongMethods)(
    'is told which methods the path accepts, as the contract lists them: $name',
    async (request) => {
      const allowed = allowedMethods(request.path);
      expect(allowed, 'a route of the contract has this path').not.toBe('');
      const response = await send(request);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe(allowed);
    },
  );
});

describe('a request without a valid customer token', () => {
  /** The pool's claims signed by a key that is not the pool's, under the pool's own kid. */
  const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk',
  });
  let victim: LocalCustomer;
  let otherPools: UserPoolService;
  let otherPoolToken: string;

  beforeAll(async () => {
    victim = remember(await cloud.identity.createCustomer('hostile-victim'));
    // Another user pool like the API's, with an app client of the same id: only the pool (its
    // issuer and its key) tells its tokens from the API's.
    const { region, userPoolId, clientId } = apiUserPool();
    const definition = cloud.userPools.userPools.find((pool) => pool.id === userPoolId);
    if (!definition) throw new Error(`No local user pool ${userPoolId}`);
    otherPools = await createUserPoolService({
      log: (entry) => logs.push(entry),
      userPools: [{ ...definition, id: `${region}_Attacker1`, name: 'attacker-pool' }],
    });
    const intruder = await otherPools.signInTestUser({ clientId, name: 'intruder@example.com' });
    otherPoolToken = remember(intruder).accessToken;
  });

  afterAll(async () => {
    await otherPools?.stop();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const access = () => customer.accessToken;
  const poolPublicKey = () =>
    (cloud.userPools.jwks(partsOf(access()).claims.iss as string)?.keys[0] ?? {}) as JsonWebKey;
  const refusals: { name: string; authorization: () => string; reason?: string }[] = [
    { name: 'no Authorization header', authorization: () => '' },
    {
      name: '"Bearer" and no token',
      authorization: () => 'Bearer ',
      reason: 'token contains an invalid number of segments',
    },
    {
      name: 'a token that is no JWT',
      authorization: () => 'Bearer not-a-jwt',
      reason: 'token contains an invalid number of segments',
    },
    {
      name: 'three segments that are not JSON',
      authorization: () => 'Bearer bm90.anNvbg.c2lnbmF0dXJl',
      reason: 'the token header is not valid JSON',
    },
    {
      name: "an expired access token of the API's pool",
      authorization: () => `Bearer ${resigned(access(), poolKey, { iat: now() - 7200, exp: now() - 3600 })}`,
      reason: 'the token has expired',
    },
    {
      name: 'a token not valid yet',
      authorization: () => `Bearer ${resigned(access(), poolKey, { nbf: now() + 3600 })}`,
      reason: 'the token is not valid yet',
    },
    {
      name: 'an access token of another app client',
      authorization: () =>
        `Bearer ${resigned(access(), poolKey, { client_id: 'otherappclient000000000001' })}`,
      reason: 'the token does not have a valid audience',
    },
    {
      name: 'an ID token for another audience',
      authorization: () =>
        `Bearer ${resigned(customer.idToken, poolKey, { aud: 'otherappclient000000000001' })}`,
      reason: 'the token does not have a valid audience',
    },
    {
      name: "a token of another issuer, signed with the pool's key",
      authorization: () =>
        `Bearer ${resigned(access(), poolKey, {
          iss: `https://cognito-idp.${apiUserPool().region}.amazonaws.com/${apiUserPool().region}_Attacker1`,
        })}`,
      reason: 'the token does not have a valid issuer',
    },
    {
      name: 'a token that is neither an ID nor an access token',
      authorization: () => `Bearer ${resigned(access(), poolKey, { token_use: 'refresh' })}`,
      reason: 'the token is neither an ID nor an access token',
    },
    {
      name: 'alg: none',
      authorization: () => `Bearer ${unsigned(access())}`,
      reason: 'signing method none is invalid',
    },
    {
      name: "HS256 signed with the pool's public key",
      authorization: () => `Bearer ${hmacSigned(access(), publicKeyPem(poolPublicKey()))}`,
      reason: 'signing method HS256 is invalid',
    },
    {
      name: 'HS256 signed with the webhook secret',
      authorization: () => `Bearer ${hmacSigned(access(), bank(cloud).secret())}`,
      reason: 'signing method HS256 is invalid',
    },
    {
      name: "a valid token with another customer's sub, its signature kept",
      authorization: () => `Bearer ${tampered(access(), { sub: victim.sub })}`,
      reason: 'the token signature is invalid',
    },
    {
      name: "the pool's claims signed by another key under the pool's kid",
      authorization: () => `Bearer ${resigned(access(), strangerKey, {})}`,
      reason: 'the token signature is invalid',
    },
    {
      name: 'an access token of another user pool',
      authorization: () => `Bearer ${otherPoolToken}`,
      reason: 'no signing key of the issuer matches the token',
    },
  ];

  it.each(refusals)(
    "with $name is refused by API Gateway's authorizer: no function runs and nothing is written",
    async ({ authorization, reason }) => {
      const before = await footprint();
      const ran = invocations();
      // A valid order: had the token been taken, it would have been placed.
      const response = await send({
        name: 'POST /orders',
        method: 'POST',
        path: '/orders',
        body: anOrder(),
        authorization: authorization(),
      });

      expectUnauthorized(response, reason);
      expect(invocations()).toBe(ran);
      expect(await footprint()).toEqual(before);
    },
  );

  // $default has the authorizer too: without a token, nobody learns which paths or methods exist.
  it.each([...wrongMethods, ...unknownPaths])(
    'to a path or method no route has ($name) is refused before the catch-all route answers',
    async (request) => {
      const ran = invocations();
      const response = await send({ ...request, authorization: '' });
      expectUnauthorized(response);
      expect(invocations()).toBe(ran);
    },
  );
});

describe("another customer's order and invoice", () => {
  let owner: ReturnType<typeof apiClient>;
  let ownerTokens: LocalCustomer;
  let other: LocalCustomer;
  let invoicedOrder: { orderId: string; invoiceId: string };

  beforeAll(async () => {
    owner = apiClient(cloud, 'hostile-owner');
    ownerTokens = remember(await owner.customer());
    other = remember(await cloud.identity.createCustomer('hostile-other'));
    const placed = await owner.placeOrder({ method: 'card', token: 'tok_visa' });
    expect(placed.status).toBe(202);
    invoicedOrder = await invoiced(owner, placed.body.orderId);
  });

  const asOther = (method: string, path: string) =>
    send({ name: `${method} ${path}`, method, path, authorization: `Bearer ${other.accessToken}` });

  it.each([
    {
      route: 'GET /orders/{orderId}',
      path: (order: typeof invoicedOrder) => `/orders/${order.orderId}`,
      unknownPath: `/orders/${UNKNOWN_ORDER_ID}`,
    },
    {
      route: 'POST /orders/{orderId}/cancel',
      path: (order: typeof invoicedOrder) => `/orders/${order.orderId}/cancel`,
      unknownPath: `/orders/${UNKNOWN_ORDER_ID}/cancel`,
    },
    {
      route: 'GET /invoices/{invoiceId}',
      path: (order: typeof invoicedOrder) => `/invoices/${order.invoiceId}`,
      unknownPath: '/invoices/inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
    },
  ])(
    'are answered on $route as an unknown id is, and stay as they were',
    async ({ route, path, unknownPath }) => {
      const method = route.split(' ')[0] ?? '';
      const ownersView = await owner.getOrder(invoicedOrder.orderId);
      const before = await footprint();

      const response = await asOther(method, path(invoicedOrder));
      const unknown = await asOther(method, unknownPath);

      expectContractError(response, { status: 404, code: 'not_found' });
      expect(response.text).toBe(unknown.text);
      expect(response.text).not.toContain(invoicedOrder.orderId);
      expect(await footprint()).toEqual(before);
      expect((await owner.getOrder(invoicedOrder.orderId)).body).toEqual(ownersView.body);
      expect(events.filter((event) => event.type === EVENTS.OrderCancelled.type)).toEqual([]);
    },
  );

  it('are read by their customer with its ID token as with its access token', async () => {
    const path = `/orders/${invoicedOrder.orderId}`;
    const byAccessToken = await send({
      name: path,
      method: 'GET',
      path,
      authorization: `Bearer ${ownerTokens.accessToken}`,
    });
    const byIdToken = await send({
      name: path,
      method: 'GET',
      path,
      authorization: `Bearer ${ownerTokens.idToken}`,
    });
    expect(byAccessToken.status).toBe(200);
    expect(byIdToken.status).toBe(200);
    expect(JSON.parse(byIdToken.text)).toEqual(JSON.parse(byAccessToken.text));
    expect(JSON.parse(byIdToken.text)).toMatchObject({ orderId: invoicedOrder.orderId, status: 'INVOICED' });
  });
});

describe('the bank-transfer webhook', () => {
  let payer: ReturnType<typeof apiClient>;
  let waiting: { orderId: string; total: number; currency: string };

  /** What the waiting order and its payment are, and what the suite has written so far. */
  const state = async () => ({
    payment: await aws.paymentItem(waiting.orderId),
    order: (await payer.getOrder(waiting.orderId)).body.status,
    footprint: await footprint(),
  });

  beforeAll(async () => {
    payer = apiClient(cloud, 'hostile-payer');
    remember(await payer.customer());
    const placed = await payer.placeOrder({ method: 'bank_transfer' });
    expect(placed.status).toBe(202);
    waiting = { orderId: placed.body.orderId, total: placed.body.total, currency: placed.body.currency };
    // A notice is only taken once the workflow has stored the token it waits on.
    await eventually(
      () => aws.paymentItem(waiting.orderId),
      (payment) => payment?.status === 'AWAITING_TRANSFER' && typeof payment.taskToken === 'string',
    );
    await eventually(quiet, Boolean);
  });

  /** The bank's notice of the waiting order's transfer, in full unless told otherwise. */
  const transfer = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      orderId: waiting.orderId,
      amount: waiting.total,
      currency: waiting.currency,
      reference: `trf_${waiting.orderId}`,
      paidAt: new Date().toISOString(),
      ...overrides,
    });
  const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);
  const INVALID_SIGNATURE = {
    error: { code: 'invalid_signature', message: 'The webhook signature is missing, invalid or expired' },
  };

  /** The full transfer, signed now, then one of its headers changed (undefined: removed). */
  const withHeader = (name: string, change: (value: string) => string | undefined) => () => {
    const { body, headers } = sign(transfer());
    const { [name]: value = '', ...others } = headers;
    const changed = change(value);
    return { body, headers: changed === undefined ? others : { ...others, [name]: changed } };
  };
  // Each would confirm the waiting order if its signature were not checked: the body is the full
  // transfer (or becomes it after signing).
  const forgeries: { name: string; request: () => SignedRequest; reason: string }[] = [
    {
      name: 'no signature headers',
      request: () => ({ body: transfer(), headers: { 'content-type': 'application/json' } }),
      reason: 'Missing required headers',
    },
    {
      name: 'an id and a timestamp but no signature',
      request: withHeader('webhook-signature', () => undefined),
      reason: 'Missing required headers',
    },
    {
      name: 'a signature made with another secret',
      request: () => sign(transfer(), { secret: OTHER_SECRET }),
      reason: 'No matching signature found',
    },
    {
      name: 'a signature of another version than v1',
      request: withHeader('webhook-signature', (signature) => signature.replace(/^v1,/, 'v2,')),
      reason: 'No matching signature found',
    },
    {
      name: 'a signature made 6 minutes ago (a replay)',
      request: () => sign(transfer(), { timestamp: minutesFromNow(-6) }),
      reason: 'Message timestamp too old',
    },
    {
      name: 'a timestamp 6 minutes in the future',
      request: () => sign(transfer(), { timestamp: minutesFromNow(6) }),
      reason: 'Message timestamp too new',
    },
    {
      name: 'a timestamp that is no number',
      request: withHeader('webhook-timestamp', () => 'now'),
      reason: 'Invalid Signature Headers',
    },
    {
      name: "another message's signature under a new webhook-id",
      request: withHeader('webhook-id', () => 'msg_forged'),
      reason: 'No matching signature found',
    },
    {
      name: 'an amount of 1 raised to the full amount after signing',
      request: () => {
        const signed = sign(transfer({ amount: 1 }));
        return { ...signed, body: signed.body.replace('"amount":1,', `"amount":${waiting.total},`) };
      },
      reason: 'No matching signature found',
    },
  ];

  it.each(forgeries)(
    'refuses a notice with $name: 401 invalid_signature, a WARN with the reason, nothing written',
    async ({ request, reason }) => {
      const before = await state();
      const logged = logs.length;

      const response = await postWebhook(request());

      expect(response.status).toBe(401);
      expect(JSON.parse(response.text)).toEqual(INVALID_SIGNATURE);
      await eventually(
        async () => logs.slice(logged),
        (entries) =>
          entries.some(
            (entry) =>
              entry.level === 'WARN' &&
              entry.message === 'Webhook signature rejected' &&
              entry.fields?.reason === reason,
          ),
      );
      expect(await state()).toEqual({ ...before, order: 'PENDING_PAYMENT' });
    },
  );

  it.each([
    ['a short amount', () => ({ amount: waiting.total - 1 })],
    ['an overpayment', () => ({ amount: waiting.total + 1 })],
    ['another currency', () => ({ currency: 'USD' })],
  ])(
    'refuses a correctly signed notice with %s: 409 conflict, an ERROR with expected and received, nothing written',
    async (_name, changed) => {
      const before = await state();
      const logged = logs.length;
      const change = changed();

      const response = await postWebhook(sign(transfer(change)));

      expectContractError(response, { status: 409, code: 'conflict' });
      const expected = { amount: waiting.total, currency: waiting.currency };
      await eventually(
        async () => logs.slice(logged),
        (entries) =>
          entries.some(
            (entry) =>
              entry.level === 'ERROR' &&
              entry.message === 'Bank transfer unlike its payment' &&
              isDeepStrictEqual(entry.fields?.expected, expected) &&
              isDeepStrictEqual(entry.fields?.received, { ...expected, ...change }),
          ),
      );
      expect(await state()).toEqual({ ...before, order: 'PENDING_PAYMENT' });
    },
  );

  it.each([
    ['malformed JSON', () => `${transfer().slice(0, -1)},}`, 'malformed_json'],
    ['an amount as a string', () => transfer({ amount: String(waiting.total) }), 'validation_failed'],
    ['an unknown field', () => transfer({ status: 'PAID' }), 'validation_failed'],
    ['no reference', () => transfer({ reference: undefined }), 'validation_failed'],
  ])('refuses a correctly signed notice with %s: 400, nothing written', async (_name, body, code) => {
    const before = await state();
    const response = await postWebhook(sign(body()));
    expectContractError(response, { status: 400, code });
    expect(await state()).toEqual({ ...before, order: 'PENDING_PAYMENT' });
  });

  it("leaves the waiting order to its customer: another customer's cancel is answered as an unknown id", async () => {
    const other = remember(await cloud.identity.createCustomer('hostile-canceller'));
    const before = await state();
    const cancel = (orderId: string) =>
      send({
        name: 'cancel',
        method: 'POST',
        path: `/orders/${orderId}/cancel`,
        authorization: `Bearer ${other.accessToken}`,
      });

    const response = await cancel(waiting.orderId);

    expectContractError(response, { status: 404, code: 'not_found' });
    expect(response.text).toBe((await cancel(UNKNOWN_ORDER_ID)).text);
    expect(await state()).toEqual({ ...before, order: 'PENDING_PAYMENT' });
    expect(events.filter((event) => event.type === EVENTS.OrderCancelled.type)).toEqual([]);
  });

  it('takes the one true notice, and answers the same reference again with the same 202 and no write', async () => {
    const body = transfer();
    const first = sign(body);
    const accepted = await postWebhook(first);
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.text)).toEqual({ orderId: waiting.orderId, status: 'TRANSFER_CONFIRMED' });
    await invoiced(payer, waiting.orderId);
    const settled = await state();
    expect(settled.payment).toMatchObject({
      status: 'CAPTURED',
      transferReference: `trf_${waiting.orderId}`,
    });

    // The bank sends the notice again (a new delivery: new id and timestamp), then the very same request.
    for (const again of [sign(body), first]) {
      const repeated = await postWebhook(again);
      expect(repeated.status).toBe(202);
      expect(repeated.text).toBe(accepted.text);
    }
    // Another transfer for the paid order: no transfer is awaited any more.
    const another = await postWebhook(sign(transfer({ reference: `trf_again_${waiting.orderId}` })));
    expectContractError(another, { status: 409, code: 'conflict' });
    expect(await state()).toEqual(settled);
  });
});

describe('the logs of every request above', () => {
  it('never carry a payment token, through the whole flow of an order', async () => {
    const api = apiClient(cloud);
    remember(await api.customer());
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

  it('never carry a sign-in token, a webhook signature or a webhook secret', () => {
    const webhookSecret = cloud.secrets.webhookSecret();
    expect(webhookSecret).toBeDefined();
    const secrets = [...credentials, webhookSecret ?? '', OTHER_SECRET];
    // Real and forged tokens of every customer above, and the signature of every notice sent.
    expect(credentials.size).toBeGreaterThan(60);
    const leaked = logs.filter((entry) => {
      const text = JSON.stringify(entry);
      return secrets.some((secret) => text.includes(secret)) || /eyJ[\w-]+\.eyJ[\w-]+\./.test(text);
    });
    expect(leaked).toEqual([]);
  });
});
