import { type DomainEvent, EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import { cancelPayment } from '../src/domain/cancel-payment.ts';
import type { PaymentRecord } from '../src/domain/payment.ts';
import type { EventPublisher, PaymentsStore, TaskCallbacks } from '../src/domain/ports.ts';
import { aPayment } from './builders.ts';
import { InMemoryPaymentsStore } from './in-memory-payments-store.ts';
import { aRecordingProvider } from './recording-provider.ts';

const now = new Date('2025-03-12T10:00:00.000Z');
const correlationId = 'cor_cancel';

/** The use case's collaborators, recording what it asked of each. */
function collaborators(store: PaymentsStore) {
  const failedTasks: { taskToken: string; error: string }[] = [];
  const callbacks: TaskCallbacks = {
    succeed: async () => 'delivered',
    fail: async (taskToken, { error }) => {
      failedTasks.push({ taskToken, error });
      return 'delivered';
    },
  };
  const published: DomainEvent[] = [];
  const events: EventPublisher = {
    publish: async (...sent) => {
      published.push(...sent);
    },
  };
  const { provider, requests: refunds } = aRecordingProvider('refund', async () => ({ refundId: 'ref_1' }));
  const deps = { store, callbacks, events, provider, now };
  return { deps, failedTasks, published, refunds };
}

/** A store whose status changes all lose their race: another change came first. */
class RacedPaymentsStore extends InMemoryPaymentsStore {
  override async changeStatus() {
    return false;
  }
}
const racedStore = (payment: PaymentRecord) => new RacedPaymentsStore(payment);

describe('cancelling a payment', () => {
  it('marks an awaited bank transfer CANCELLED, then fails the task the workflow waits on', async () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'tok-1' });
    const store = new InMemoryPaymentsStore(payment);
    const { deps, failedTasks } = collaborators(store);

    await expect(cancelPayment({ orderId: payment.orderId, correlationId }, deps)).resolves.toBe(
      'cancel-transfer',
    );
    expect(store.payments.get(payment.orderId)).toMatchObject({ status: 'CANCELLED', reason: 'cancelled' });
    expect(failedTasks).toEqual([{ taskToken: 'tok-1', error: EVENTS.OrderCancelled.type }]);
  });

  it('refunds a capture, records it REFUNDED, then publishes PaymentRefunded dated now', async () => {
    const payment = aPayment({ status: 'CAPTURED', captureId: 'cap_1' });
    const store = new InMemoryPaymentsStore(payment);
    const { deps, refunds, published } = collaborators(store);

    await cancelPayment({ orderId: payment.orderId, correlationId }, deps);

    expect(refunds).toEqual([
      { orderId: payment.orderId, captureId: 'cap_1', amount: 4_250, currency: 'EUR' },
    ]);
    expect(store.payments.get(payment.orderId)).toMatchObject({ status: 'REFUNDED', refundId: 'ref_1' });
    expect(published).toEqual([
      expect.objectContaining({
        type: EVENTS.PaymentRefunded.type,
        correlationId,
        occurredAt: now.toISOString(),
        data: { orderId: payment.orderId, refundId: 'ref_1', amount: 4_250, currency: 'EUR' },
      }),
    ]);
  });

  it('leaves a CANCELLED tombstone for an order whose payment has not started', async () => {
    const store = new InMemoryPaymentsStore();
    const { deps } = collaborators(store);

    await cancelPayment({ orderId: 'ord_not_started', correlationId }, deps);

    expect(store.payments.get('ord_not_started')).toMatchObject({ status: 'CANCELLED', attempts: 0 });
  });

  it('does not fail the waiting task when its CANCELLED write loses a race, and says the payment changed', async () => {
    const payment = aPayment({ method: 'bank_transfer', status: 'AWAITING_TRANSFER', taskToken: 'tok-1' });
    const { deps, failedTasks } = collaborators(racedStore(payment));

    await expect(cancelPayment({ orderId: payment.orderId, correlationId }, deps)).rejects.toMatchObject({
      name: 'PaymentChangedError',
    });
    expect(failedTasks).toEqual([]);
  });

  it('publishes no PaymentRefunded when the REFUNDED write loses a race, for the redelivery to decide', async () => {
    const payment = aPayment({ status: 'CAPTURED', captureId: 'cap_1' });
    const { deps, published } = collaborators(racedStore(payment));

    await expect(cancelPayment({ orderId: payment.orderId, correlationId }, deps)).rejects.toMatchObject({
      name: 'PaymentChangedError',
    });
    expect(published).toEqual([]);
  });
});
