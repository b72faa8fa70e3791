/** An order as GET /orders/{orderId} and the flow page show it, as far as settling goes. */
export interface OrderSnapshot {
  status?: string;
  payment?: { method?: string; attempts?: number };
}

/**
 * Whether the order reached one of `statuses` and took in every event of its payment: the
 * order-events queue does not keep order, so an InvoiceIssued can make the order INVOICED before
 * the PaymentCaptured that brings a card payment's attempts (at least one) arrives.
 */
export function hasSettled(order: OrderSnapshot | undefined, statuses: readonly string[]): boolean {
  if (!order?.status || !statuses.includes(order.status)) return false;
  return !(order.status === 'INVOICED' && order.payment?.method === 'card' && order.payment.attempts === 0);
}
