import { describe, expect, it } from 'vitest';
import { getOrder } from '../src/domain/get-order.ts';
import { OrderNotFoundError } from '../src/domain/order.ts';
import { aCustomerId, anOrder } from './builders.ts';
import { InMemoryOrdersStore } from './in-memory-orders-store.ts';

const customerId = aCustomerId();
const mine = anOrder({ customerId });
const theirs = anOrder();

/** The store, counting the ids looked up. */
function ports() {
  const orders = new InMemoryOrdersStore(mine, theirs);
  const lookups: string[] = [];
  const get = orders.get.bind(orders);
  orders.get = (orderId) => {
    lookups.push(orderId);
    return get(orderId);
  };
  return { deps: { orders }, lookups };
}

describe("reading the signed-in customer's order", () => {
  it('returns an order of the customer', async () => {
    expect(await getOrder(mine.orderId, { customerId }, ports().deps)).toEqual(mine);
  });

  it.each([
    ["another customer's order", theirs.orderId],
    ['an unknown order', 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T'],
  ])('does not know %s, and says so in the same words as for any other id', async (_, orderId) => {
    await expect(getOrder(orderId, { customerId }, ports().deps)).rejects.toEqual(
      new OrderNotFoundError('No order has this id'),
    );
  });

  it('does not know an id that cannot name an order, without looking it up', async () => {
    const { deps, lookups } = ports();
    await expect(getOrder('inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T', { customerId }, deps)).rejects.toEqual(
      new OrderNotFoundError('No order has this id'),
    );
    expect(lookups).toEqual([]);
  });
});
