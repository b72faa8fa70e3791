import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import type { PlacedOrder } from '@shop/contracts/http';
import { deterministicId } from '@shop/shared/ids';
import { localEndpoints } from '@shop/testing/endpoints';
import { httpEvent, lambdaContext } from '@shop/testing/events';
import { importIsolated } from '@shop/testing/import-isolated';
import { drainQueue, scanTable } from '@shop/testing/resources';
import { beforeEach, describe, expect, it } from 'vitest';
import { aCustomerId, anOrderRequest } from './builders.ts';
import { bodyOf, createPlaceOrderResources, type ErrorBody, publishedEvents } from './handler-support.ts';

// DynamoDB, SQS and EventBridge are the emulators: events are read from the test bus they arrived on.
const { ordersTable, idempotencyTable, queue, bus } = await createPlaceOrderResources();
const { handler } = await import('../src/handlers/place-order.ts');
// The same handler where PutEvents fails: its EventBridge endpoint drops every connection...
const { handler: handlerWithBusDown } = await importIsolated(
  { AWS_ENDPOINT_URL_EVENTBRIDGE: localEndpoints().refusing },
  () => import('../src/handlers/place-order.ts'),
);
// ...and where EventBridge rejects the entry, as it does for a bus that does not exist.
const { handler: handlerWithNoBus } = await importIsolated(
  { EVENT_BUS_NAME: 'no-such-bus' },
  () => import('../src/handlers/place-order.ts'),
);

/** POST /orders, signed in as `customerId`. */
function post(customerId: string, body: unknown, headers: Record<string, string> = {}, placeOrder = handler) {
  return placeOrder(
    httpEvent({ method: 'POST', route: '/orders', body, headers, customerId }),
    lambdaContext(),
  );
}

const ordersOf = async (customerId: unknown) =>
  (await scanTable(ordersTable)).filter((item) => item.customerId === customerId);

beforeEach(async () => {
  await bus.clear();
  await drainQueue(queue.url);
});

describe('POST /orders', () => {
  it('accepts an order for the signed-in customer: 202 with its location, stored without the token, payment requested with it, announced', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();

    const response = await post(customerId, body);

    expect(response.statusCode).toBe(202);
    const placed = bodyOf<PlacedOrder>(response);
    expect(placed).toEqual({
      orderId: expect.stringMatching(/^ord_/),
      status: 'PENDING_PAYMENT',
      total: 3000,
      currency: 'EUR',
    });
    expect(response.headers?.location).toBe(`/orders/${placed.orderId}`);

    const stored = await ordersOf(customerId);
    expect(stored).toEqual([
      {
        orderId: placed.orderId,
        customerId: customerId,
        status: 'PENDING_PAYMENT',
        currency: 'EUR',
        items: body.items,
        total: 3000,
        payment: { method: 'card', status: 'PENDING', attempts: 0 },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(JSON.stringify(stored)).not.toContain('tok_visa');

    expect(await drainQueue(queue.url)).toEqual([
      {
        id: expect.stringMatching(/^cmd_/),
        type: COMMANDS.RequestPayment.type,
        version: 1,
        correlationId: response.headers?.['x-correlation-id'],
        data: {
          orderId: placed.orderId,
          customerId: customerId,
          amount: 3000,
          currency: 'EUR',
          items: body.items,
          payment: { method: 'card', token: 'tok_visa' },
        },
      },
    ]);

    expect(await publishedEvents(bus)).toEqual([
      {
        source: 'serverless-commerce.orders',
        detailType: EVENTS.OrderPlaced.type,
        detail: expect.objectContaining({
          id: deterministicId('evt', EVENTS.OrderPlaced.type, placed.orderId),
          type: EVENTS.OrderPlaced.type,
          data: {
            orderId: placed.orderId,
            customerId: customerId,
            total: 3000,
            currency: 'EUR',
            paymentMethod: 'card',
          },
        }),
      },
    ]);
  });

  it('accepts a bank transfer order and requests its payment without a token', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest({ payment: { method: 'bank_transfer' } });
    const response = await post(customerId, body);
    expect(response.statusCode).toBe(202);
    const [command] = (await drainQueue(queue.url)) as { data: { payment: unknown } }[];
    expect(command?.data.payment).toEqual({ method: 'bank_transfer' });
    expect((await ordersOf(customerId))[0]?.payment).toEqual({
      method: 'bank_transfer',
      status: 'PENDING',
      attempts: 0,
    });
  });

  it('still accepts the order when PutEvents fails, because the order is stored and its payment requested', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();

    const response = await post(customerId, body, {}, handlerWithBusDown);

    expect(response.statusCode).toBe(202);
    expect(await ordersOf(customerId)).toHaveLength(1);
    expect(await drainQueue(queue.url)).toHaveLength(1);
  });

  it('still accepts the order when PutEvents rejects the entry', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();

    const response = await post(customerId, body, {}, handlerWithNoBus);

    expect(response.statusCode).toBe(202);
    expect(await ordersOf(customerId)).toHaveLength(1);
  });
});

describe('POST /orders with an Idempotency-Key', () => {
  it('answers a retry with the same body with the same order, and stores one order', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();
    const key = `key-${customerId}`;

    const first = await post(customerId, body, { 'Idempotency-Key': key });
    const retry = await post(customerId, body, { 'idempotency-key': key });

    expect([first.statusCode, retry.statusCode]).toEqual([202, 202]);
    expect(bodyOf(retry)).toEqual(bodyOf(first));
    const { orderId } = bodyOf<PlacedOrder>(first);
    expect((await ordersOf(customerId)).map((order) => order.orderId)).toEqual([orderId]);
    // The retry requests the payment of the same order again; payments start one workflow per order.
    const commands = (await drainQueue(queue.url)) as { data: { orderId: string } }[];
    expect(commands.map((command) => command.data.orderId)).toEqual([orderId, orderId]);
    expect(await publishedEvents(bus)).toHaveLength(1);
    expect((await scanTable(idempotencyTable)).filter((record) => record.resourceId === orderId)).toEqual([
      expect.objectContaining({ id: `POST /orders#${customerId}#${key}`, resourceId: orderId }),
    ]);
  });

  it('treats the same body with its fields in another order as the same request', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const key = `key-${customerId}`;

    const first = await post(customerId, body, { 'Idempotency-Key': key });
    const retry = await post(customerId, reordered, { 'Idempotency-Key': key });

    expect(bodyOf<PlacedOrder>(retry).orderId).toBe(bodyOf<PlacedOrder>(first).orderId);
    expect(await ordersOf(customerId)).toHaveLength(1);
  });

  it('refuses the same key with another body with 422 and writes nothing new', async () => {
    const customerId = aCustomerId();
    const body = anOrderRequest();
    const key = `key-${customerId}`;
    await post(customerId, body, { 'Idempotency-Key': key });
    await drainQueue(queue.url);
    const before = { orders: await scanTable(ordersTable), records: await scanTable(idempotencyTable) };
    await bus.clear();

    const response = await post(customerId, { ...body, currency: 'USD' }, { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(422);
    expect(bodyOf<ErrorBody>(response).error.code).toBe('idempotency_key_reused');
    expect({ orders: await scanTable(ordersTable), records: await scanTable(idempotencyTable) }).toEqual(
      before,
    );
    expect(await drainQueue(queue.url)).toEqual([]);
    expect(await publishedEvents(bus)).toEqual([]);
  });
});

describe('POST /orders with the Idempotency-Key of another customer', () => {
  it("places a second order for the second customer and never replays the first customer's", async () => {
    const [first, second] = [aCustomerId(), aCustomerId()];
    const key = `shared-${first}`;
    const body = anOrderRequest();

    const firstResponse = await post(first, body, { 'Idempotency-Key': key });
    const secondResponse = await post(second, body, { 'Idempotency-Key': key });

    expect([firstResponse.statusCode, secondResponse.statusCode]).toEqual([202, 202]);
    const [firstOrder, secondOrder] = [firstResponse, secondResponse].map(
      (response) => bodyOf<PlacedOrder>(response).orderId,
    );
    expect(secondOrder).not.toBe(firstOrder);
    expect((await ordersOf(first)).map((order) => order.orderId)).toEqual([firstOrder]);
    expect((await ordersOf(second)).map((order) => order.orderId)).toEqual([secondOrder]);
    const records = (await scanTable(idempotencyTable)).filter((record) =>
      [firstOrder, secondOrder].includes(record.resourceId as string),
    );
    expect(records.map(({ id, resourceId }) => ({ id, resourceId }))).toEqual(
      expect.arrayContaining([
        { id: `POST /orders#${first}#${key}`, resourceId: firstOrder },
        { id: `POST /orders#${second}#${key}`, resourceId: secondOrder },
      ]),
    );
    expect(records).toHaveLength(2);
  });

  it("accepts the same key with another body from another customer, as a key of the customer's own", async () => {
    const [first, second] = [aCustomerId(), aCustomerId()];
    const key = `shared-${first}`;
    await post(first, anOrderRequest(), { 'Idempotency-Key': key });

    const response = await post(second, anOrderRequest({ currency: 'USD' }), { 'Idempotency-Key': key });

    expect(response.statusCode).toBe(202);
    expect(await ordersOf(second)).toEqual([
      expect.objectContaining({ customerId: second, currency: 'USD' }),
    ]);
  });
});
