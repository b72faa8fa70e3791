import { EVENT_SOURCE_PREFIX, envelopeSchema, type Service } from './envelope.ts';
import { amount, currency, id } from './fields.ts';
import { COMPENSATION_ACTIONS, PAYMENT_FAILURE_REASONS } from './payment-outcomes.ts';
import * as z from './zod.ts';

/**
 * Domain events: past-tense facts that travel between services on the EventBridge bus, each in a
 * versioned envelope, with its publisher's `source` and its type as the `detail-type`. A consumer
 * validates what it receives against these schemas; a change to a `data` shape that is not
 * backwards compatible needs a new `version`.
 */
const attempts = z.int().check(z.minimum(0));

export const compensationSchema = z.object({
  action: z.enum(COMPENSATION_ACTIONS),
  refundId: z.optional(id),
});
export type Compensation = z.infer<typeof compensationSchema>;

function event<
  const TType extends string,
  const TPublisher extends Service,
  const TVersion extends number,
  TData extends z.ZodMiniObject,
>(
  type: TType,
  definition: {
    publisher: TPublisher;
    version: TVersion;
    description: string;
    data: TData;
    /** A `data` as it travels: the API documents show it, and the contracts' tests parse it. */
    example: NoInfer<z.infer<TData>>;
  },
) {
  return {
    ...definition,
    type,
    source: `${EVENT_SOURCE_PREFIX}.${definition.publisher}` as `${typeof EVENT_SOURCE_PREFIX}.${TPublisher}`,
    schema: envelopeSchema(type, definition.version, definition.data),
  };
}

export const EVENTS = {
  OrderPlaced: event('OrderPlaced', {
    publisher: 'orders',
    version: 1,
    description: 'A customer placed an order; its payment is requested.',
    data: z.object({
      orderId: id,
      customerId: id,
      total: amount,
      currency,
      paymentMethod: z.enum(['card', 'bank_transfer']),
    }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      customerId: '7f3a9c2e-5b1d-4e8f-9a6c-2d4b8e1f0a37',
      total: 2500,
      currency: 'EUR',
      paymentMethod: 'card',
    },
  }),
  OrderCancelled: event('OrderCancelled', {
    publisher: 'orders',
    version: 1,
    description: 'A customer cancelled an order: payments stops a waiting transfer or refunds a capture.',
    data: z.object({ orderId: id, previousStatus: z.string() }),
    example: { orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T', previousStatus: 'PENDING_PAYMENT' },
  }),
  PaymentCaptured: event('PaymentCaptured', {
    publisher: 'payments',
    version: 1,
    description: "The order's payment was captured, after this many provider attempts.",
    data: z.object({ orderId: id, captureId: id, amount, currency, attempts }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      captureId: 'cap_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      amount: 2500,
      currency: 'EUR',
      attempts: 1,
    },
  }),
  PaymentFailed: event('PaymentFailed', {
    publisher: 'payments',
    version: 1,
    description: 'The payment failed for good, with its reason and what was done to undo it.',
    // `compensation` is optional: PaymentFailed events published before it existed lack it.
    data: z.object({
      orderId: id,
      reason: z.enum(PAYMENT_FAILURE_REASONS),
      attempts,
      compensation: z.optional(compensationSchema),
    }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      reason: 'card_declined',
      attempts: 1,
      compensation: { action: 'none_needed' },
    },
  }),
  PaymentRefunded: event('PaymentRefunded', {
    publisher: 'payments',
    version: 1,
    description: "A cancelled order's capture was refunded.",
    data: z.object({ orderId: id, refundId: id, amount, currency }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      refundId: 'ref_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      amount: 2500,
      currency: 'EUR',
    },
  }),
  InvoiceIssued: event('InvoiceIssued', {
    publisher: 'invoices',
    version: 1,
    description: 'The invoice of a paid order was issued.',
    data: z.object({ orderId: id, invoiceId: id, total: amount, currency }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      invoiceId: 'inv_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      total: 2500,
      currency: 'EUR',
    },
  }),
} as const;

export type EventType = keyof typeof EVENTS;
export type EventDefinition = (typeof EVENTS)[EventType];
export const EVENT_TYPES = Object.keys(EVENTS) as EventType[];
export type EventOf<T extends EventType> = z.infer<(typeof EVENTS)[T]['schema']>;
export type DomainEvent = { [T in EventType]: EventOf<T> }[EventType];
export type EventData<T extends EventType> = EventOf<T>['data'];
