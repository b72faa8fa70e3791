import type { PaymentRecord } from '../src/domain/payment.ts';
import type { PaymentsStore, StatusChange } from '../src/domain/ports.ts';

/**
 * The PaymentsStore port in memory, with the same conditions as the DynamoDB adapter, for domain
 * tests of the use cases.
 */
export class InMemoryPaymentsStore implements PaymentsStore {
  readonly payments = new Map<string, PaymentRecord>();

  constructor(...payments: PaymentRecord[]) {
    for (const payment of payments) this.payments.set(payment.orderId, structuredClone(payment));
  }

  async get(orderId: string) {
    const payment = this.payments.get(orderId);
    return payment && structuredClone(payment);
  }

  async recordAttempt(orderId: string, at: Date) {
    const payment = this.payments.get(orderId);
    if (payment?.status !== 'STARTED') return undefined;
    const attempts = payment.attempts + 1;
    this.payments.set(orderId, { ...payment, attempts, updatedAt: at.toISOString() });
    return attempts;
  }

  async changeStatus(orderId: string, { from, to, expectedTaskToken, set, at }: StatusChange) {
    const payment = this.payments.get(orderId);
    if (!payment || !from.includes(payment.status)) return false;
    if (expectedTaskToken !== undefined && payment.taskToken !== expectedTaskToken) return false;
    this.payments.set(orderId, { ...payment, ...set, status: to, updatedAt: at.toISOString() });
    return true;
  }

  async putTombstone(orderId: string, at: Date) {
    if (this.payments.has(orderId)) return false;
    const tombstone: PaymentRecord = {
      orderId,
      status: 'CANCELLED',
      attempts: 0,
      reason: 'cancelled',
      updatedAt: at.toISOString(),
    };
    this.payments.set(orderId, tombstone);
    return true;
  }
}
