import { COMMANDS, type CommandOf } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { type PlacedOrder, type PlaceOrderRequest, placeOrderRequestSchema } from '@shop/contracts/http';
import { MAX_AMOUNT } from '@shop/contracts/money';
import { ValidationError } from '@shop/shared/errors';
import { requestHash } from '@shop/shared/idempotency-key';
import { deterministicId, newId } from '@shop/shared/ids';
import { createCommand, createEvent } from '@shop/shared/messages';
import { multiply, sum } from '@shop/shared/money';
import { parseWith } from '@shop/shared/validation';
import type { Order } from './order.ts';
import type { EventPublisher, IdempotencyStore, OrdersStore, PaymentRequests } from './ports.ts';

/** Validates a POST /orders body and computes its total; throws ValidationError naming every bad field. */
export function parsePlaceOrderRequest(body: unknown): PlaceOrderRequest & { total: number } {
  const { customerId: _none, ...request } = parseWith(placeOrderRequestSchema, body, 'Order');
  const total = sum(request.items.map((item) => multiply(item.unitPrice, item.quantity)));
  if (total > MAX_AMOUNT) {
    throw new ValidationError('Order is invalid', [
      { path: 'items', message: `Order total ${total} exceeds the maximum of ${MAX_AMOUNT} minor units` },
    ]);
  }
  return { ...request, total };
}

export interface PlaceOrderDependencies {
  orders: Pick<OrdersStore, 'get' | 'create' | 'deleteIfPending'>;
  paymentRequests: PaymentRequests;
  events: EventPublisher;
  idempotency: IdempotencyStore;
  /** Told when an accepted order's OrderPlaced could not be published: someone must look at it. */
  onOrderPlacedUnpublished: (orderId: string, error: unknown) => void;
  now?: () => Date;
}

export interface PlaceOrderContext {
  correlationId: string;
  /** The signed-in customer, who places the order. */
  customerId: string;
  idempotencyKey: string | undefined;
}

/**
 * Places an order for the signed-in customer: stores it as PENDING_PAYMENT, asks payments to take
 * the payment, announces it. A request that fails leaves nothing behind, so the client can simply
 * retry; with an Idempotency-Key, a retry returns the order of the first attempt instead of placing
 * a second one.
 */
export async function placeOrder(
  body: unknown,
  context: PlaceOrderContext,
  deps: PlaceOrderDependencies,
): Promise<PlacedOrder> {
  const request = parsePlaceOrderRequest(body);
  let orderId = newId('ord');
  if (context.idempotencyKey) {
    const { replayOf } = await deps.idempotency.claim({
      key: customerIdempotencyKey(context.customerId, context.idempotencyKey),
      requestHash: requestHash(body),
      resourceId: orderId,
    });
    if (replayOf) {
      const earlier = await deps.orders.get(replayOf);
      if (earlier) return replay(earlier, request, context.correlationId, deps);
      // The earlier attempt failed before its order was written (or was undone): place it now.
      orderId = replayOf;
    }
  }

  const at = (deps.now?.() ?? new Date()).toISOString();
  const order: Order = {
    orderId,
    customerId: context.customerId,
    status: 'PENDING_PAYMENT',
    currency: request.currency,
    items: request.items,
    total: request.total,
    // The payment token is deliberately absent: it travels only in the RequestPayment message.
    payment: { method: request.payment.method, status: 'PENDING', attempts: 0 },
    createdAt: at,
    updatedAt: at,
  };
  if (!(await deps.orders.create(order))) {
    // A concurrent retry with the same Idempotency-Key wrote this order first.
    const concurrent = await deps.orders.get(orderId);
    if (!concurrent) throw new Error(`Order ${orderId} exists but cannot be read`);
    return replay(concurrent, request, context.correlationId, deps);
  }

  try {
    await deps.paymentRequests.send(requestPayment(order, request, context.correlationId));
  } catch (error) {
    await deps.orders.deleteIfPending(orderId);
    throw error;
  }

  try {
    await deps.events.publish(
      createEvent(
        EVENTS.OrderPlaced,
        {
          orderId,
          customerId: order.customerId,
          total: order.total,
          currency: order.currency,
          paymentMethod: order.payment.method,
        },
        {
          correlationId: context.correlationId,
          id: deterministicId('evt', EVENTS.OrderPlaced.type, orderId),
        },
      ),
    );
  } catch (error) {
    // The order stands and its payment is requested; nothing waits for OrderPlaced (it feeds the
    // audit stream), and failing here would make the client retry an order that exists: tell operators.
    deps.onOrderPlacedUnpublished(orderId, error);
  }
  return placed(order);
}

/**
 * An Idempotency-Key as the customer's own: the same key from two customers is two keys, so a
 * retry can only ever replay the order of the customer who sent it. The customer id is encoded so
 * that no `#` in it can make two pairs read alike.
 */
export function customerIdempotencyKey(customerId: string, idempotencyKey: string): string {
  return `${encodeURIComponent(customerId)}#${idempotencyKey}`;
}

/**
 * Answers a retried request with the order of the first attempt. A still pending order gets its
 * RequestPayment again, in case the first attempt stopped before sending it: the payment workflow's
 * execution is named by the order id, so a duplicate command cannot start a second payment.
 */
async function replay(
  order: Order,
  request: PlaceOrderRequest,
  correlationId: string,
  deps: PlaceOrderDependencies,
): Promise<PlacedOrder> {
  if (order.status === 'PENDING_PAYMENT') {
    await deps.paymentRequests.send(requestPayment(order, request, correlationId));
  }
  return placed(order);
}

function requestPayment(
  order: Order,
  request: PlaceOrderRequest,
  correlationId: string,
): CommandOf<typeof COMMANDS.RequestPayment.type> {
  return createCommand(
    COMMANDS.RequestPayment,
    {
      orderId: order.orderId,
      customerId: order.customerId,
      amount: order.total,
      currency: order.currency,
      items: order.items,
      payment: request.payment,
    },
    { correlationId },
  );
}

function placed(order: Order): PlacedOrder {
  return { orderId: order.orderId, status: order.status, total: order.total, currency: order.currency };
}
