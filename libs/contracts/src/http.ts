import { COMPENSATION_ACTIONS, PAYMENT_FAILURE_REASONS } from './events.ts';
import { idPattern } from './ids.ts';
import { CURRENCIES, MAX_AMOUNT } from './money.ts';
import * as z from './zod.ts';

/**
 * The bodies of the HTTP API: what each route accepts and answers, and the one error shape. Amounts
 * are integer minor units (cents). Requests are strict at every level, so a misspelt field is an
 * error, never dropped; responses are strict at the top, so a field a handler returns that is not
 * written here fails the tests that hold the handler to its contract.
 */
export const MAX_ITEMS = 100;
export const MAX_QUANTITY = 1000;

const currency = z.enum(CURRENCIES);
const amount = z.int().check(z.minimum(0));
const timestamp = z.iso.datetime();
const prefixedId = (prefix: string, what: string) =>
  z.string().check(z.regex(idPattern(prefix), `Expected ${what}`));
const orderId = () => prefixedId('ord', 'an order id');
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

/** An order's id and the status a request moved it to. */
const statusAnswer = <const TStatus extends string>(status: TStatus) =>
  z.strictObject({ orderId: orderId(), status: z.literal(status) });

/** `202` to `POST /orders/{orderId}/cancel`. */
export const cancelledOrderSchema = statusAnswer('CANCELLED');
export type CancelledOrder = z.infer<typeof cancelledOrderSchema>;

/** `POST /webhooks/bank-transfers`: the bank's notice of a transfer received for an order, signed. */
export const bankTransferNoticeSchema = z.strictObject({
  orderId: orderId(),
  amount: z.int().check(z.minimum(1), z.maximum(MAX_AMOUNT)),
  currency,
  reference: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'Expected 1 to 64 of A-Z, a-z, 0-9, "_" and "-"')),
  paidAt: z.iso.datetime({ offset: true }),
});
export type BankTransferNotice = z.infer<typeof bankTransferNoticeSchema>;

/** `202` to the bank's notice. */
export const transferConfirmationSchema = statusAnswer('TRANSFER_CONFIRMED');
export type TransferConfirmation = z.infer<typeof transferConfirmationSchema>;

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

/** Every error's code and the status it answers with. A 500 never carries what went wrong. */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  invalid_signature: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** `{"error":{"code","message","details?"}}`: details name each bad field of a 400. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
