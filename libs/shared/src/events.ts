import { newId } from './ids.ts';
import { CURRENCIES } from './money.ts';
import { parseWith } from './validation.ts';
import * as z from './zod.ts';

/**
 * Domain events: past-tense facts that travel between services on the EventBridge bus, each in a
 * versioned envelope. A consumer validates what it receives against these schemas; a change to a
 * `data` shape that is not backwards compatible needs a new `version`.
 */
const id = z.string().check(z.minLength(1), z.maxLength(64));
const amount = z.int().check(z.minimum(0));
const currency = z.enum(CURRENCIES);
const attempts = z.int().check(z.minimum(0));

export const PAYMENT_FAILURE_REASONS = [
  'card_declined',
  'provider_unavailable',
  'bank_transfer_timeout',
  'cancelled',
] as const;
export type PaymentFailureReason = (typeof PAYMENT_FAILURE_REASONS)[number];

/**
 * What the payment workflow did to undo a failed payment: nothing was taken (`none_needed`: the
 * payment failed before a capture), the capture attempt was refunded (`refunded`: a capture that
 * failed or timed out may still have been made), or that refund failed too (`refund_failed`: an
 * operator acts on the refund function's alarm, docs/runbook.md).
 */
export const COMPENSATION_ACTIONS = ['none_needed', 'refunded', 'refund_failed'] as const;
export type CompensationAction = (typeof COMPENSATION_ACTIONS)[number];
export const compensationSchema = z.object({
  action: z.enum(COMPENSATION_ACTIONS),
  refundId: z.optional(id),
});
export type Compensation = z.infer<typeof compensationSchema>;

function envelope<const TType extends string, TData extends z.ZodMiniType>(type: TType, data: TData) {
  return z.object({
    id,
    type: z.literal(type),
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
    data,
  });
}

export const eventSchemas = {
  OrderPlaced: envelope(
    'OrderPlaced',
    z.object({
      orderId: id,
      customerId: id,
      total: amount,
      currency,
      paymentMethod: z.enum(['card', 'bank_transfer']),
    }),
  ),
  OrderCancelled: envelope('OrderCancelled', z.object({ orderId: id, previousStatus: z.string() })),
  PaymentCaptured: envelope(
    'PaymentCaptured',
    z.object({ orderId: id, captureId: id, amount, currency, attempts }),
  ),
  PaymentFailed: envelope(
    'PaymentFailed',
    // `compensation` is optional: PaymentFailed events published before it existed lack it.
    z.object({
      orderId: id,
      reason: z.enum(PAYMENT_FAILURE_REASONS),
      attempts,
      compensation: z.optional(compensationSchema),
    }),
  ),
  PaymentRefunded: envelope('PaymentRefunded', z.object({ orderId: id, refundId: id, amount, currency })),
  InvoiceIssued: envelope('InvoiceIssued', z.object({ orderId: id, invoiceId: id, total: amount, currency })),
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];
export type EventOf<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;
export type DomainEvent = { [T in EventType]: EventOf<T> }[EventType];
export type EventData<T extends EventType> = EventOf<T>['data'];

/** The `source` of every event this application puts on its bus, by publishing service. */
export const EVENT_SOURCE_PREFIX = 'serverless-commerce';
export const eventSource = (service: string): string => `${EVENT_SOURCE_PREFIX}.${service}`;

export function createEvent<T extends EventType>(
  type: T,
  data: EventData<T>,
  options: { correlationId: string; id?: string; occurredAt?: Date },
): EventOf<T> {
  return {
    id: options.id ?? newId('evt'),
    type,
    version: 1,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    correlationId: options.correlationId,
    data,
  } as EventOf<T>;
}

/** Validates an envelope against the schema of its own `type`, among the types a consumer accepts. */
export function parseEvent<T extends EventType>(input: unknown, accepted: readonly T[]): EventOf<T> {
  const type = (input as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(accepted as readonly string[]).includes(type)) {
    throw new UnexpectedEventError(`Event type ${String(type)} is not one of ${accepted.join(', ')}`);
  }
  return parseWith(eventSchemas[type as T] as unknown as z.ZodMiniType<EventOf<T>>, input, `${type} event`);
}

/**
 * Unwraps the envelope from an EventBridge event as an SQS target receives it
 * (`{ "detail-type", source, detail, ... }`) and validates it.
 */
export function parseBusEventBody<T extends EventType>(body: string, accepted: readonly T[]): EventOf<T> {
  const busEvent = JSON.parse(body) as { detail?: unknown };
  return parseEvent(busEvent.detail, accepted);
}

export class UnexpectedEventError extends Error {
  override readonly name = 'UnexpectedEventError';
}
