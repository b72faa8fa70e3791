import type { COMMANDS, CommandOf, PaymentMethod } from '@shop/contracts/commands';
import type { Currency } from '@shop/contracts/money';
import type { PaymentRecord, PaymentStatus } from './payment.ts';

// Every port of the payments service: what the domain needs from outside, implemented in
// src/adapters. The bus is a port of the shared library.
export type { EventPublisher } from '@shop/shared/event-bus';

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

/**
 * The port to the payment service that moves the money. The workflow drives it through the
 * authorize, capture and refund tasks; which service sits behind it is the adapter's choice. It
 * fails with the errors of provider-errors.ts, which the workflow retries and catches by name.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<{ authorizationId: string }>;
  capture(request: CaptureRequest): Promise<{ captureId: string }>;
  /**
   * Must be idempotent per capture: a repeated refund of one capture is the same refund. Must also
   * succeed for a capture attempt whose outcome is unknown (no `captureId`): see RefundRequest.
   */
  refund(request: RefundRequest): Promise<{ refundId: string }>;
}

export interface AuthorizeRequest {
  orderId: string;
  amount: number;
  currency: Currency;
  token: string;
  /** 1 for the first try; the workflow's retries count up, so a provider can tell them apart. */
  attempt: number;
}

export interface CaptureRequest {
  orderId: string;
  amount: number;
  currency: Currency;
  method: PaymentMethod['method'];
  /** Present for cards: the authorization being captured. */
  authorizationId?: string | undefined;
}

export interface RefundRequest {
  orderId: string;
  /**
   * The capture to refund; absent when the workflow never learnt it (the capture failed or timed out,
   * and may still have been made). The provider then refunds the order's capture if it was made, and
   * refuses a late one if not (docs/adr/0011-refund-the-capture-attempt-of-a-failed-capture.md).
   */
  captureId?: string | undefined;
  amount: number;
  currency: Currency;
}

/** The PaymentWorkflow's input: the RequestPayment command's data and its correlation id. */
export type PaymentWorkflowInput = CommandOf<typeof COMMANDS.RequestPayment.type>['data'] & {
  correlationId: string;
};

/** Starts the one payment workflow of an order. */
export interface PaymentWorkflow {
  /** `already-started` when the order's workflow exists: a repeated request, not a second payment. */
  start(input: PaymentWorkflowInput): Promise<'started' | 'already-started'>;
}

/**
 * Answers a workflow step that waits for a callback (a task token). `not-waiting` when the step is
 * over (it timed out, was answered already, or its execution stopped): nothing needs the answer.
 */
export interface TaskCallbacks {
  succeed(taskToken: string, output: Record<string, unknown>): Promise<'delivered' | 'not-waiting'>;
  fail(taskToken: string, failure: { error: string; cause: string }): Promise<'delivered' | 'not-waiting'>;
}

/**
 * Tells whether a webhook request comes from the bank: a Standard Webhooks signature over its raw
 * body, made with the stage's secret, within five minutes of now. Checked before the body is read.
 */
export interface BankWebhookVerifier {
  /** Throws InvalidSignatureError (401) when the signature is missing, wrong or out of time. */
  verify(request: { text(): string; header(name: string): string | undefined }): Promise<void>;
}
