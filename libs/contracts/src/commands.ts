import { envelopeSchema, type Service } from './envelope.ts';
import { amount, currency, id } from './fields.ts';
import * as z from './zod.ts';

/**
 * Commands: work handed from one service to the next through a queue, in the events' envelope
 * without `occurredAt`. `RequestPayment` goes from orders to payments; `IssueInvoice` from the
 * payment workflow to invoices.
 */
export const orderLineSchema = z.object({
  sku: z.string().check(z.minLength(1), z.maxLength(64)),
  quantity: z.int().check(z.minimum(1)),
  unitPrice: z.int().check(z.minimum(0)),
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const paymentMethodSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('card'), token: z.string().check(z.minLength(1), z.maxLength(128)) }),
  z.object({ method: z.literal('bank_transfer') }),
]);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

function command<
  const TType extends string,
  const TSender extends Service,
  const TReceiver extends Service,
  const TVersion extends number,
  TData extends z.ZodMiniObject,
>(
  type: TType,
  definition: {
    sender: TSender;
    receiver: TReceiver;
    /** The receiver's queue, by its name without the stage prefix. */
    queue: string;
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
    schema: z.omit(envelopeSchema(type, definition.version, definition.data), { occurredAt: true }),
  };
}

export const COMMANDS = {
  RequestPayment: command('RequestPayment', {
    sender: 'orders',
    receiver: 'payments',
    queue: 'payment-requests',
    version: 1,
    description: "Take the payment of a placed order: starts the order's payment workflow.",
    data: z.object({
      orderId: id,
      customerId: id,
      amount,
      currency,
      items: z.array(orderLineSchema),
      payment: paymentMethodSchema,
    }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      customerId: '7f3a9c2e-5b1d-4e8f-9a6c-2d4b8e1f0a37',
      amount: 2500,
      currency: 'EUR',
      items: [
        { sku: 'BOOK-42', quantity: 1, unitPrice: 1250 },
        { sku: 'PEN-7', quantity: 5, unitPrice: 250 },
      ],
      payment: { method: 'card', token: 'tok_visa' },
    },
  }),
  IssueInvoice: command('IssueInvoice', {
    sender: 'payments',
    receiver: 'invoices',
    queue: 'invoice-requests',
    version: 1,
    description: 'Issue the invoice of an order whose payment was captured.',
    data: z.object({
      orderId: id,
      customerId: id,
      currency,
      items: z.array(orderLineSchema),
      captureId: id,
    }),
    example: {
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      customerId: '7f3a9c2e-5b1d-4e8f-9a6c-2d4b8e1f0a37',
      currency: 'EUR',
      items: [
        { sku: 'BOOK-42', quantity: 1, unitPrice: 1250 },
        { sku: 'PEN-7', quantity: 5, unitPrice: 250 },
      ],
      captureId: 'cap_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
    },
  }),
} as const;

export type CommandType = keyof typeof COMMANDS;
export type CommandDefinition = (typeof COMMANDS)[CommandType];
export type CommandOf<T extends CommandType> = z.infer<(typeof COMMANDS)[T]['schema']>;
