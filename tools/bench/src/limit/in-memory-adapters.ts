import type { COMMANDS } from '@shop/contracts/commands';
/**
 * Every `#adapters/*` module of the apps, in memory, for the limit: the limit bundle resolves each
 * `#adapters/<name>` import of the handlers to this one module (see limit.ts). What a queue, the
 * bus or the workflow would carry is handed to `wiring`, which the harness points at the handlers:
 * delivered at once, with no emulator and no polling.
 */

import type { CommandOf } from '@shop/contracts/commands';
import type { DomainEvent } from '@shop/contracts/events';
import type { Invoice } from '@shop/invoices/domain/invoice';
import type { InvoicesStore } from '@shop/invoices/domain/ports';
import type { PaymentRequests } from '@shop/orders/domain/ports';
import { InMemoryOrdersStore } from '@shop/orders/testing/in-memory-orders-store';
import { testPaymentProvider } from '@shop/payments/adapters/test-payment-provider';
import type { PaymentRecord } from '@shop/payments/domain/payment';
import type {
  PaymentsStore,
  PaymentWorkflow,
  PaymentWorkflowInput,
  TaskCallbacks,
} from '@shop/payments/domain/ports';
import type { EventPublisher } from '@shop/shared/event-bus';
import type { IdempotencyStore } from '@shop/shared/idempotency-key';

export const wiring = {
  requestPayment: (_command: CommandOf<typeof COMMANDS.RequestPayment.type>): void => {
    throw new Error('The limit harness has not wired requestPayment');
  },
  runWorkflow: async (_input: PaymentWorkflowInput): Promise<void> => {
    throw new Error('The limit harness has not wired runWorkflow');
  },
  publish: (_event: DomainEvent): void => {
    throw new Error('The limit harness has not wired publish');
  },
};

export const ordersStore = new InMemoryOrdersStore();

const idempotencyKeys = new Map<string, { requestHash: string; resourceId: string }>();
export const idempotencyStore: IdempotencyStore = {
  async claim({ key, requestHash, resourceId }) {
    const seen = idempotencyKeys.get(key);
    if (!seen) {
      idempotencyKeys.set(key, { requestHash, resourceId });
      return {};
    }
    return { replayOf: seen.resourceId };
  },
};

export const paymentRequests: PaymentRequests = {
  async send(command) {
    wiring.requestPayment(command);
  },
};

export const eventPublisher: EventPublisher = {
  async publish(...events) {
    for (const event of events) wiring.publish(event);
  },
};

export const payments = new Map<string, PaymentRecord>();
export const paymentsStore: PaymentsStore = {
  async get(orderId) {
    const payment = payments.get(orderId);
    return payment && { ...payment };
  },
  async recordAttempt(orderId, at) {
    const payment = payments.get(orderId);
    if (payment?.status !== 'STARTED') return undefined;
    payment.attempts += 1;
    payment.updatedAt = at.toISOString();
    return payment.attempts;
  },
  async changeStatus(orderId, { from, to, expectedTaskToken, set, at }) {
    const payment = payments.get(orderId);
    if (!payment || !from.includes(payment.status)) return false;
    if (expectedTaskToken !== undefined && payment.taskToken !== expectedTaskToken) return false;
    Object.assign(payment, set, { status: to, updatedAt: at.toISOString() });
    return true;
  },
  async putTombstone(orderId, at) {
    if (payments.has(orderId)) return false;
    payments.set(orderId, {
      orderId,
      status: 'CANCELLED',
      attempts: 0,
      reason: 'cancelled',
      updatedAt: at.toISOString(),
    });
    return true;
  },
};

const started = new Set<string>();
export const paymentWorkflow: PaymentWorkflow = {
  async start(input) {
    if (started.has(input.orderId)) return 'already-started';
    started.add(input.orderId);
    wiring.runWorkflow(input).catch((error: unknown) => {
      process.stderr.write(`The in-process payment workflow of ${input.orderId} failed: ${String(error)}\n`);
    });
    return 'started';
  },
};

export const taskCallbacks: TaskCallbacks = {
  succeed: async () => 'not-waiting',
  fail: async () => 'not-waiting',
};

export const paymentProvider = testPaymentProvider;

const invoices = new Map<string, Invoice>();
export const invoicesStore: InvoicesStore = {
  async get(invoiceId) {
    return invoices.get(invoiceId);
  },
  async putIfAbsent(invoice) {
    const stored = invoices.get(invoice.invoiceId);
    if (stored) return stored;
    invoices.set(invoice.invoiceId, invoice);
    return invoice;
  },
};

export const taxRateBasisPoints = 2000;
