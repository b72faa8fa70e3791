import { EVENTS, type EventOf } from '@shop/contracts/events';

/**
 * The events from other services that move an order, as the order-events queue delivers them. Apart
 * from order.ts, so that functions that only read orders do not load the events' schemas.
 */
export const ORDER_EVENTS = [
  EVENTS.PaymentCaptured,
  EVENTS.PaymentFailed,
  EVENTS.InvoiceIssued,
  EVENTS.PaymentRefunded,
] as const;
export type OrderEventType = (typeof ORDER_EVENTS)[number]['type'];
export type OrderEvent = EventOf<OrderEventType>;
