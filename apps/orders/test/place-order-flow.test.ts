import { COMMANDS, type CommandOf } from '@shop/contracts/commands';
import { type DomainEvent, EVENTS } from '@shop/contracts/events';
import { isId } from '@shop/contracts/ids';
import { ValidationError } from '@shop/shared/errors';
import { requestHash } from '@shop/shared/idempotency-key';
import { deterministicId } from '@shop/shared/ids';
import { describe, expect, it } from 'vitest';
import type { Order } from '../src/domain/order.ts';
import {
  customerIdempotencyKey,
  type PlaceOrderDependencies,
  placeOrder,
} from '../src/domain/place-order.ts';
import { aCustomerId, anOrder, anOrderRequest } from './builders.ts';
import { InMemoryOrdersStore } from './in-memory-orders-store.ts';

/** The ports of placeOrder in memory; `replayOf` makes the idempotency store answer as for a retry. */
function ports(
  options: { orders?: Order[]; replayOf?: string; sendFails?: boolean; publishFails?: boolean } = {},
) {
  const orders = new InMemoryOrdersStore(...(options.orders ?? []));
  const sent: CommandOf<typeof COMMANDS.RequestPayment.type>[] = [];
  const published: DomainEvent[] = [];
  const claims: { key: string; requestHash: string; resourceId: string }[] = [];
  const unpublished: string[] = [];
  const deps: PlaceOrderDependencies = {
    orders,
    paymentRequests: {
      async send(command) {
        if (options.sendFails) throw new Error('queue unavailable');
        sent.push(command);
      },
    },
    events: {
      async publish(...events) {
        if (options.publishFails) throw new Error('bus unavailable');
        published.push(...events);
      },
    },
    idempotency: {
      async claim(claim) {
        claims.push(claim);
        return options.replayOf ? { replayOf: options.replayOf } : {};
      },
    },
    onOrderPlacedUnpublished: (orderId) => unpublished.push(orderId),
    now: () => new Date('2025-03-10T14:15:02.000Z'),
  };
  return { deps, orders, sent, published, claims, unpublished };
}

const customerId = 'd2f50444-0041-7036-aea2-a955fca33d37';
const context = { correlationId: 'req-1', customerId, idempotencyKey: undefined };

describe('placing an order', () => {
  it('stores it as PENDING_PAYMENT for the signed-in customer without the token, requests the payment with it, and announces it', async () => {
    const { deps, orders, sent, published } = ports();
    const body = anOrderRequest();

    const placed = await placeOrder(body, context, deps);

    expect(isId(placed.orderId, 'ord')).toBe(true);
    expect(placed).toEqual({
      orderId: placed.orderId,
      status: 'PENDING_PAYMENT',
      total: 3000,
      currency: 'EUR',
    });
    const stored = orders.orders.get(placed.orderId);
    expect(stored).toEqual({
      orderId: placed.orderId,
      customerId,
      status: 'PENDING_PAYMENT',
      currency: 'EUR',
      items: body.items,
      total: 3000,
      payment: { method: 'card', status: 'PENDING', attempts: 0 },
      createdAt: '2025-03-10T14:15:02.000Z',
      updatedAt: '2025-03-10T14:15:02.000Z',
    });
    expect(sent).toEqual([
      expect.objectContaining({
        type: COMMANDS.RequestPayment.type,
        correlationId: 'req-1',
        data: {
          orderId: placed.orderId,
          customerId,
          amount: 3000,
          currency: 'EUR',
          items: body.items,
          payment: { method: 'card', token: 'tok_visa' },
        },
      }),
    ]);
    expect(published).toEqual([
      expect.objectContaining({
        id: deterministicId('evt', EVENTS.OrderPlaced.type, placed.orderId),
        type: EVENTS.OrderPlaced.type,
        data: {
          orderId: placed.orderId,
          customerId,
          total: 3000,
          currency: 'EUR',
          paymentMethod: 'card',
        },
      }),
    ]);
  });

  it('claims nothing and stores nothing when the body is invalid', async () => {
    const { deps, orders, claims, sent } = ports();
    await expect(
      placeOrder(anOrderRequest({ items: [] }), { ...context, idempotencyKey: 'key-1' }, deps),
    ).rejects.toBeInstanceOf(ValidationError);
    expect([claims, [...orders.orders.values()], sent]).toEqual([[], [], []]);
  });

  it('removes the order again and fails when the payment cannot be requested', async () => {
    const { deps, orders, published } = ports({ sendFails: true });
    await expect(placeOrder(anOrderRequest(), context, deps)).rejects.toThrow('queue unavailable');
    expect(orders.orders.size).toBe(0);
    expect(published).toEqual([]);
  });

  it('accepts the order and reports it when OrderPlaced cannot be published', async () => {
    const { deps, orders, sent, unpublished } = ports({ publishFails: true });
    const placed = await placeOrder(anOrderRequest(), context, deps);
    expect(placed.status).toBe('PENDING_PAYMENT');
    expect(orders.orders.has(placed.orderId)).toBe(true);
    expect(sent).toHaveLength(1);
    expect(unpublished).toEqual([placed.orderId]);
  });

  it('refuses a body that names the customer, and claims and stores nothing', async () => {
    const { deps, orders, claims, sent } = ports();
    await expect(
      placeOrder(anOrderRequest({ customerId }), { ...context, idempotencyKey: 'key-1' }, deps),
    ).rejects.toMatchObject({ code: 'validation_failed', details: [{ path: 'customerId' }] });
    expect([claims, [...orders.orders.values()], sent]).toEqual([[], [], []]);
  });

  it("claims the customer's Idempotency-Key with a hash of the body and the new order id", async () => {
    const { deps, claims } = ports();
    const body = anOrderRequest();
    const placed = await placeOrder(body, { ...context, idempotencyKey: 'key-1' }, deps);
    expect(claims).toEqual([
      { key: `${customerId}#key-1`, requestHash: requestHash(body), resourceId: placed.orderId },
    ]);
  });

  it('claims the same Idempotency-Key of two customers as two different keys', async () => {
    const { deps, claims } = ports();
    const other = aCustomerId();
    await placeOrder(anOrderRequest(), { ...context, idempotencyKey: 'key-1' }, deps);
    await placeOrder(anOrderRequest(), { ...context, customerId: other, idempotencyKey: 'key-1' }, deps);
    expect(claims.map((claim) => claim.key)).toEqual([`${customerId}#key-1`, `${other}#key-1`]);
  });
});

describe("a customer's Idempotency-Key", () => {
  it('is the customer and the key, which no two pairs share even when a customer id holds a "#"', () => {
    expect(customerIdempotencyKey('cus-1', 'key-1')).toBe('cus-1#key-1');
    expect(customerIdempotencyKey('a#b', 'c')).not.toBe(customerIdempotencyKey('a', 'b#c'));
  });
});

describe('retrying with an Idempotency-Key', () => {
  const retry = { ...context, idempotencyKey: 'key-1' };

  it('returns the pending order of the first attempt and requests its payment again', async () => {
    const first = anOrder();
    const { deps, orders, sent, published } = ports({ orders: [first], replayOf: first.orderId });

    const placed = await placeOrder(anOrderRequest(), retry, deps);

    expect(placed).toEqual({
      orderId: first.orderId,
      status: 'PENDING_PAYMENT',
      total: 2500,
      currency: 'EUR',
    });
    expect(orders.orders.size).toBe(1);
    expect(sent.map((command) => command.data.orderId)).toEqual([first.orderId]);
    expect(published).toEqual([]);
  });

  it('returns an order that has moved on as it is now, without requesting its payment again', async () => {
    const first = anOrder({ status: 'PAID', payment: { method: 'card', status: 'CAPTURED', attempts: 1 } });
    const { deps, sent } = ports({ orders: [first], replayOf: first.orderId });

    const placed = await placeOrder(anOrderRequest(), retry, deps);

    expect(placed).toEqual({ orderId: first.orderId, status: 'PAID', total: 2500, currency: 'EUR' });
    expect(sent).toEqual([]);
  });

  it('places the order under the replayed id when the first attempt never wrote it', async () => {
    const replayed = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';
    const { deps, orders, sent, published } = ports({ replayOf: replayed });

    const placed = await placeOrder(anOrderRequest(), retry, deps);

    expect(placed.orderId).toBe(replayed);
    expect([...orders.orders.keys()]).toEqual([replayed]);
    expect(sent.map((command) => command.data.orderId)).toEqual([replayed]);
    expect(published.map((event) => event.data.orderId)).toEqual([replayed]);
  });

  it('returns the order a concurrent retry wrote first, instead of failing', async () => {
    const replayed = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';
    const { deps, orders, sent, published } = ports({ replayOf: replayed });
    const concurrent = anOrder({ orderId: replayed, total: 3000 });
    orders.beforeWrite = () => {
      if (!orders.orders.has(replayed)) orders.orders.set(replayed, concurrent);
    };

    const placed = await placeOrder(anOrderRequest(), retry, deps);

    expect(placed).toEqual({ orderId: replayed, status: 'PENDING_PAYMENT', total: 3000, currency: 'EUR' });
    expect(orders.orders.get(replayed)).toEqual(concurrent);
    expect(sent).toHaveLength(1);
    expect(published).toEqual([]);
  });
});
