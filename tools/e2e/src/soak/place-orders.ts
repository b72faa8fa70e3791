import type { ApiClient } from './api-client.ts';
import type { SoakBank } from './bank.ts';
import type { SoakCustomer } from './customers.ts';
import type { PlannedOrder } from './order-mix.ts';
import type { SoakTarget } from './targets.ts';

/** An order the API accepted (202). */
export interface AcceptedOrder {
  order: PlannedOrder;
  orderId: string;
  /** What the bank transfers for it: the order's total, as the 202 gave it. */
  total: number;
  currency: string;
  postedAt: number;
  acceptedAt: number;
}

/**
 * What a run has seen so far, shared by the workers that place the orders, their follow-ups, the
 * wait for the orders to settle, and the progress line.
 */
export interface RunTally {
  accepted: AcceptedOrder[];
  rejected: Map<number, number>;
  placed: number;
  unanswered: number;
  settled: number;
  phase: 'placing' | 'settling' | 'reconciling';
  /**
   * Confirmations and cancellations. They go on while orders are placed, then until the settle
   * deadline: a transfer is only awaited once its workflow has started, which a backlog can delay
   * for minutes.
   */
  followUps: Promise<void>[];
  /** Orders the tables show terminal: a transfer that settled without its confirmation needs none. */
  terminalIds: Set<string>;
  /** When the follow-ups give up: set once the settling starts. */
  settleDeadline: number;
}

export function newRunTally(): RunTally {
  return {
    accepted: [],
    rejected: new Map(),
    placed: 0,
    unanswered: 0,
    settled: 0,
    phase: 'placing',
    followUps: [],
    terminalIds: new Set(),
    settleDeadline: Number.POSITIVE_INFINITY,
  };
}

/** What placing the orders uses, and the tally it keeps. */
export interface OrderPlacing {
  target: SoakTarget;
  concurrency: number;
  /** How many times to kill and restart the cloud mid-run, at even intervals of the plan. */
  restarts: number;
  client: ApiClient;
  bank: SoakBank;
  customerOf: (order: PlannedOrder) => SoakCustomer;
  note: (text: string) => void;
  tally: RunTally;
}

/**
 * Up to `concurrency` workers take the next order. They ramp up, one more with each accepted
 * order, as a load test does: otherwise the first requests would start every execution
 * environment at once, and a saturated machine would measure cold starts timing out, not the
 * system. A restart point kills and restarts the cloud while the others keep going (their
 * requests fail and are retried with the same key). Returns once every order is placed and the
 * cloud is back.
 */
export async function placeOrders(plan: PlannedOrder[], placing: OrderPlacing): Promise<void> {
  const { target, tally, note } = placing;
  const restartPoints = Array.from({ length: placing.restarts }, (_, index) =>
    Math.floor((plan.length * (index + 1)) / (placing.restarts + 1)),
  );
  let restarting: Promise<void> = Promise.resolve();
  let next = 0;
  const workers: Promise<void>[] = [];
  const addWorker = () => {
    if (workers.length < Math.min(placing.concurrency, plan.length)) workers.push(work());
  };
  async function work(): Promise<void> {
    while (next < plan.length) {
      const order = plan[next++] as PlannedOrder;
      if (target.restart && restartPoints[0] !== undefined && order.index >= restartPoints[0]) {
        restartPoints.shift();
        note(`Killing the local cloud (SIGKILL) after ${order.index} orders, and starting it again…`);
        restarting = target.restart().then(() => note('The local cloud is back.'));
      }
      const before = tally.accepted.length;
      await placeOrder(order, placing);
      if (tally.accepted.length > before) addWorker();
    }
  }
  addWorker();
  // Workers join while others run: wait until none is left to join.
  for (let settledWorkers = 0; settledWorkers < workers.length; ) {
    const count = workers.length;
    await Promise.all(workers.slice(settledWorkers));
    settledWorkers = count;
  }
  await restarting;
}

/** POSTs the order as its customer and tallies the answer; an accepted one gets its follow-up. */
async function placeOrder(order: PlannedOrder, placing: OrderPlacing): Promise<void> {
  const { client, tally } = placing;
  const postedAt = Date.now();
  let response: Awaited<ReturnType<ApiClient['post']>>;
  try {
    response = await client.post('/orders', order.body, order.idempotencyKey, placing.customerOf(order));
  } catch (error) {
    tally.unanswered += 1;
    placing.note(`Order ${order.index}: ${(error as Error).message}`);
    return;
  } finally {
    tally.placed += 1;
  }
  if (response.status !== 202) {
    tally.rejected.set(response.status, (tally.rejected.get(response.status) ?? 0) + 1);
    return;
  }
  const { orderId, total, currency } = response.body as {
    orderId: string;
    total: number;
    currency: string;
  };
  const entry = { order, orderId, total, currency, postedAt, acceptedAt: Date.now() };
  tally.accepted.push(entry);
  if (order.kind === 'transfer_confirmed') tally.followUps.push(confirmTransfer(entry, placing));
  if (order.kind === 'transfer_cancelled') tally.followUps.push(cancel(entry, placing));
}

/** The bank confirms the transfer, until the settle deadline or the order is terminal without it. */
async function confirmTransfer(
  { orderId, order, total, currency }: AcceptedOrder,
  { bank, tally, note }: OrderPlacing,
): Promise<void> {
  const notice = {
    orderId,
    amount: total,
    currency,
    reference: order.idempotencyKey,
    paidAt: new Date().toISOString(),
  };
  const taken = await bank.confirm(
    notice,
    () => Date.now() >= tally.settleDeadline || tally.terminalIds.has(orderId),
  );
  if (!taken && !tally.terminalIds.has(orderId)) {
    note(`Order ${orderId}: the bank transfer was never awaited within the deadline`);
  }
}

/** The customer cancels the order awaiting its transfer. */
async function cancel({ orderId, order }: AcceptedOrder, placing: OrderPlacing): Promise<void> {
  await placing.client
    .post(`/orders/${orderId}/cancel`, {}, `${order.idempotencyKey}-cancel`, placing.customerOf(order))
    .catch((error: Error) => {
      placing.note(`Order ${orderId}: cancel failed: ${error.message}`);
    });
}
