import { ERROR_STATUS, type ErrorCode } from './errors.ts';
import { amount, currency, orderId, prefixedId, statusAnswer, timestamp } from './fields.ts';
import { MAX_AMOUNT } from './money.ts';
import { COMPENSATION_ACTIONS, PAYMENT_FAILURE_REASONS } from './payment-outcomes.ts';
import * as z from './zod.ts';

/**
 * The bodies of the HTTP API: what each route accepts and answers, and the one error shape. Amounts
 * are integer minor units (cents). Requests are strict at every level, so a misspelt field is an
 * error, never dropped; responses are strict at the top, so a field a handler returns that is not
 * written here fails the tests that hold the handler to its contract.
 */
export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 1000;

const sku = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9._-]*$/, 'Use only letters, digits, ".", "_" and "-"'),
  );

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PAID', 'INVOICED', 'PAYMENT_FAILED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PAYMENT_STATUSES = ['PENDING', 'CAPTURED', 'FAILED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** `POST /orders`. The customer is whoever signed in; a body that still names one is told so by name. */
export const placeOrderRequestSchema = z.strictObject({
  customerId: z.optional(
    z.never({ error: 'The customer comes from the sign-in token: remove customerId from the body' }),
  ),
  currency,
  items: z
    .array(
      z.strictObject({
        sku,
        quantity: z.int().check(z.minimum(1), z.maximum(MAX_QUANTITY)),
        unitPrice: z.int().check(z.minimum(1), z.maximum(MAX_AMOUNT)),
      }),
    )
    .check(z.minLength(1), z.maxLength(MAX_ITEMS)),
  payment: z.discriminatedUnion('method', [
    z.strictObject({ method: z.literal('card'), token: z.string().check(z.minLength(1), z.maxLength(128)) }),
    z.strictObject({ method: z.literal('bank_transfer') }),
  ]),
});
export type PlaceOrderRequest = Omit<z.infer<typeof placeOrderRequestSchema>, 'customerId'>;

/**
 * `202` to `POST /orders`, with `Location: /orders/{orderId}`: `PENDING_PAYMENT`, or, to a request
 * repeated with its Idempotency-Key, the status the order has reached since.
 */
export const placedOrderSchema = z.strictObject({
  orderId: orderId(),
  status: z.enum(ORDER_STATUSES),
  total: amount,
  currency,
});
export type PlacedOrder = z.infer<typeof placedOrderSchema>;

/** `200` to `GET /orders/{orderId}`. */
export const orderSchema = z.strictObject({
  orderId: orderId(),
  customerId: z.string(),
  status: z.enum(ORDER_STATUSES),
  currency,
  items: z.array(z.object({ sku: z.string(), quantity: z.int(), unitPrice: amount })),
  total: amount,
  payment: z.object({
    method: z.enum(['card', 'bank_transfer']),
    status: z.enum(PAYMENT_STATUSES),
    attempts: z.int().check(z.minimum(0)),
    reason: z.optional(z.enum(PAYMENT_FAILURE_REASONS)),
    compensation: z.optional(
      z.object({ action: z.enum(COMPENSATION_ACTIONS), refundId: z.optional(z.string()) }),
    ),
  }),
  invoiceId: z.optional(prefixedId('inv', 'an invoice id')),
  refund: z.optional(z.object({ refundId: z.string(), amount })),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type OrderView = z.infer<typeof orderSchema>;

/** `202` to `POST /orders/{orderId}/cancel`. */
export const cancelledOrderSchema = statusAnswer('CANCELLED');
export type CancelledOrder = z.infer<typeof cancelledOrderSchema>;

/** `200` to `GET /invoices/{invoiceId}`: everything but the customer, who is the one asking. */
export const invoiceSchema = z.strictObject({
  invoiceId: prefixedId('inv', 'an invoice id'),
  orderId: orderId(),
  currency,
  lines: z.array(z.object({ sku: z.string(), quantity: z.int(), unitPrice: amount, amount })),
  subtotal: amount,
  tax: amount,
  total: amount,
  taxRateBasisPoints: z.int().check(z.minimum(0)),
  issuedAt: timestamp,
});
export type InvoiceView = z.infer<typeof invoiceSchema>;

/** `{"error":{"code","message","details?"}}`: details name each bad field of a 400. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
