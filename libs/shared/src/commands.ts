import { newId } from './ids.ts';
import { CURRENCIES } from './money.ts';
import { parseWith } from './validation.ts';
import * as z from './zod.ts';

/**
 * Commands: work handed from one function to the next through a queue, in the same versioned
 * envelope as events. `RequestPayment` goes from orders to payments; `IssueInvoice` from the payment
 * workflow to invoices.
 */
const id = z.string().check(z.minLength(1), z.maxLength(64));
const currency = z.enum(CURRENCIES);

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

function command<const TType extends string, TData extends z.ZodMiniType>(type: TType, data: TData) {
  return z.object({
    id,
    type: z.literal(type),
    version: z.literal(1),
    correlationId: z.string().check(z.minLength(1), z.maxLength(128)),
    data,
  });
}

export const commandSchemas = {
  RequestPayment: command(
    'RequestPayment',
    z.object({
      orderId: id,
      customerId: id,
      amount: z.int().check(z.minimum(0)),
      currency,
      items: z.array(orderLineSchema),
      payment: paymentMethodSchema,
    }),
  ),
  IssueInvoice: command(
    'IssueInvoice',
    z.object({
      orderId: id,
      customerId: id,
      currency,
      items: z.array(orderLineSchema),
      captureId: id,
    }),
  ),
} as const;

export type CommandType = keyof typeof commandSchemas;
export type CommandOf<T extends CommandType> = z.infer<(typeof commandSchemas)[T]>;

export function createCommand<T extends CommandType>(
  type: T,
  data: CommandOf<T>['data'],
  options: { correlationId: string },
): CommandOf<T> {
  return { id: newId('cmd'), type, version: 1, correlationId: options.correlationId, data } as CommandOf<T>;
}

export function parseCommand<T extends CommandType>(type: T, body: string): CommandOf<T> {
  return parseWith(
    commandSchemas[type] as unknown as z.ZodMiniType<CommandOf<T>>,
    JSON.parse(body),
    `${type} message`,
  );
}
