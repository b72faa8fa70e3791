import { EVENTS } from '@shop/contracts/events';
import {
  type CancellationAction,
  decideCancellation,
  PaymentChangedError,
  paymentRefunded,
} from './payment.ts';
import type { EventPublisher, PaymentProvider, PaymentsStore, TaskCallbacks } from './ports.ts';

/** The events that cancel a payment, as the payment-cancellations queue delivers them. */
export const CANCELLATION_EVENTS = [EVENTS.OrderCancelled] as const;

export interface CancelPaymentDeps {
  store: PaymentsStore;
  callbacks: TaskCallbacks;
  provider: Pick<PaymentProvider, 'refund'>;
  events: EventPublisher;
  now: Date;
}

/** The error the waiting workflow step fails with, named after the event; the workflow's Catch matches on it. */
const ORDER_CANCELLED = {
  error: EVENTS.OrderCancelled.type,
  cause: 'The order was cancelled while its transfer was awaited',
};

/**
 * Applies an order's cancellation to its payment. Safe to repeat: every write is conditional on
 * the status it read (a lost race throws PaymentChangedError and the message is retried from a
 * fresh read), and a refund happens only from CAPTURED, at a provider that treats a repeated
 * refund of one capture as the same refund. So there is never a second refund of a payment.
 */
export async function cancelPayment(
  cancellation: { orderId: string; correlationId: string },
  deps: CancelPaymentDeps,
): Promise<CancellationAction['kind']> {
  const { orderId, correlationId } = cancellation;
  const { store, now } = deps;
  const action = decideCancellation(await store.get(orderId));
  const mustApply = (applied: boolean): void => {
    if (!applied) {
      throw new PaymentChangedError(`The payment of order ${orderId} changed while being cancelled`);
    }
  };
  switch (action.kind) {
    case 'write-tombstone':
      mustApply(await store.putTombstone(orderId, now));
      break;
    case 'cancel-transfer':
      mustApply(
        await store.changeStatus(orderId, {
          from: ['AWAITING_TRANSFER'],
          to: 'CANCELLED',
          expectedTaskToken: action.taskToken,
          set: { reason: 'cancelled' },
          at: now,
        }),
      );
      await deps.callbacks.fail(action.taskToken, ORDER_CANCELLED);
      break;
    case 'repeat-transfer-failure':
      await deps.callbacks.fail(action.taskToken, ORDER_CANCELLED);
      break;
    case 'refund': {
      const { captureId, amount, currency } = action;
      const { refundId } = await deps.provider.refund({ orderId, captureId, amount, currency });
      mustApply(
        await store.changeStatus(orderId, { from: ['CAPTURED'], to: 'REFUNDED', set: { refundId }, at: now }),
      );
      const refund = { orderId, refundId, amount, currency };
      await deps.events.publish(paymentRefunded(refund, { correlationId, refundedAt: now }));
      break;
    }
    case 'republish-refund':
      await deps.events.publish(
        paymentRefunded(action.refund, { correlationId, refundedAt: action.refundedAt }),
      );
      break;
    case 'nothing-to-do':
      break;
  }
  return action.kind;
}
