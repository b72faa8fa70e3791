import type { PaymentRecord, PaymentStatus } from './payment.ts';

/** The port to the Payments table. Every change is conditional: it says which state it expects. */
export interface PaymentsStore {
  get(orderId: string): Promise<PaymentRecord | undefined>;
  /** Counts one more authorization attempt of a STARTED payment; undefined when there is none. */
  recordAttempt(orderId: string, at: Date): Promise<number | undefined>;
  /** Applies the change if the payment is in one of `from` (and holds `expectedTaskToken`); false if not. */
  changeStatus(orderId: string, change: StatusChange): Promise<boolean>;
  /** Writes a CANCELLED record for an order that has no payment yet; false if one appeared meanwhile. */
  putTombstone(orderId: string, at: Date): Promise<boolean>;
}

export interface StatusChange {
  from: readonly PaymentStatus[];
  to: PaymentStatus;
  /** Applies only to the wait this token belongs to, and to no later one. */
  expectedTaskToken?: string;
  set?: Partial<Pick<PaymentRecord, 'taskToken' | 'refundId' | 'reason' | 'transferReference' | 'paidAt'>>;
  at: Date;
}
