import { bankTransferNoticeSchema, transferConfirmationSchema } from './bank-webhook.ts';
import type { ErrorCode } from './errors.ts';
import {
  cancelledOrderSchema,
  invoiceSchema,
  orderSchema,
  placedOrderSchema,
  placeOrderRequestSchema,
} from './http.ts';
import type * as z from './zod.ts';

/** A body's schema and the name documents give it. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: z.ZodMiniType;
}

/** A header a route reads or answers with. */
export interface HeaderContract {
  readonly description: string;
  readonly required: boolean;
}

/**
 * One route of the HTTP API: who may call it, what it accepts and what it answers. `customer`
 * routes need the customer's JWT (API Gateway answers a missing or bad one with its own 401);
 * `bank` routes are open to callers with no token and check the bank's webhook signature instead.
 */
export interface RouteContract {
  readonly operationId: string;
  readonly summary: string;
  readonly caller: 'customer' | 'bank';
  readonly requestBody?: NamedSchema;
  readonly requestHeaders?: Readonly<Record<string, HeaderContract>>;
  readonly success: {
    readonly status: 200 | 202;
    readonly description: string;
    readonly body: NamedSchema;
    readonly headers?: Readonly<Record<string, HeaderContract>>;
  };
  /** The error codes of the contract's error shape this route can answer with. */
  readonly errors: readonly ErrorCode[];
}

/** The errors every JSON body route can answer with, before its own. */
const BODY_ERRORS = [
  'validation_failed',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
] as const;

const signatureHeaders = {
  'webhook-id': { description: "The notice's unique id (Standard Webhooks).", required: true },
  'webhook-timestamp': {
    description: 'Seconds since the epoch when the bank signed; older than 5 minutes is refused.',
    required: true,
  },
  'webhook-signature': {
    description:
      'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>"> with the stage\'s secret.',
    required: true,
  },
} as const;

/** A read of one of the signed-in customer's own resources. */
function customersOwn(operationId: string, what: string, body: NamedSchema) {
  return {
    operationId,
    summary: `One of the signed-in customer's ${what}s; anyone else's answers 404, like an unknown one.`,
    caller: 'customer',
    success: { status: 200, description: `The ${what}.`, body },
    errors: ['not_found', 'internal_error'],
  } as const satisfies RouteContract;
}

/** Every route of the HTTP API, by API Gateway's route key. */
export const ROUTES = {
  'POST /orders': {
    operationId: 'placeOrder',
    summary: 'Place an order for the signed-in customer; its payment is requested.',
    caller: 'customer',
    requestBody: { name: 'PlaceOrderRequest', schema: placeOrderRequestSchema },
    requestHeaders: {
      'idempotency-key': {
        description: 'Repeats of the request with this key answer the first order (1 to 255 visible ASCII).',
        required: false,
      },
    },
    success: {
      status: 202,
      description: 'Accepted: the order waits for its payment.',
      body: { name: 'PlacedOrder', schema: placedOrderSchema },
      headers: { location: { description: '/orders/{orderId}', required: true } },
    },
    errors: [...BODY_ERRORS, 'idempotency_key_reused', 'internal_error'],
  },
  'GET /orders/{orderId}': customersOwn('getOrder', 'order', { name: 'Order', schema: orderSchema }),
  'POST /orders/{orderId}/cancel': {
    operationId: 'cancelOrder',
    summary: 'Cancel an order that is PENDING_PAYMENT or PAID; a paid one is refunded.',
    caller: 'customer',
    success: {
      status: 202,
      description: 'Cancelled.',
      body: { name: 'CancelledOrder', schema: cancelledOrderSchema },
    },
    errors: ['not_found', 'conflict', 'internal_error'],
  },
  'POST /webhooks/bank-transfers': {
    operationId: 'confirmBankTransfer',
    summary: "The bank's signed notice of a transfer received for an order that waits for one.",
    caller: 'bank',
    requestBody: { name: 'BankTransferNotice', schema: bankTransferNoticeSchema },
    requestHeaders: signatureHeaders,
    success: {
      status: 202,
      description: 'Confirmed (the same reference again answers the same).',
      body: { name: 'TransferConfirmation', schema: transferConfirmationSchema },
    },
    errors: [...BODY_ERRORS, 'invalid_signature', 'not_found', 'conflict', 'internal_error'],
  },
  'GET /invoices/{invoiceId}': customersOwn('getInvoice', 'invoice', {
    name: 'Invoice',
    schema: invoiceSchema,
  }),
} as const satisfies Record<string, RouteContract>;

export type RouteKey = keyof typeof ROUTES;

/** Every answer carries the request's correlation id: quote it when reporting a problem. */
export const RESPONSE_HEADERS = {
  'x-correlation-id': {
    description: "API Gateway's request id, also in every log line of the request.",
    required: true,
  },
} as const satisfies Record<string, HeaderContract>;
