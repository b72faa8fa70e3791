import { CURRENCIES, MAX_AMOUNT } from '@shop/shared/money';
import { parseWith } from '@shop/shared/validation';
import * as z from '@shop/shared/zod';
import { orderIdSchema } from './payment.ts';

/**
 * What the payment workflow passes to each of its Lambda tasks: the contract between the state
 * machine definition and this code, checked on every call.
 */
const correlationId = z.string().check(z.minLength(1), z.maxLength(128));
const amount = z.int().check(z.minimum(0), z.maximum(MAX_AMOUNT));
const currency = z.enum(CURRENCIES);
const providerId = z.string().check(z.minLength(1), z.maxLength(128));

const schemas = {
  authorize: z.object({
    orderId: orderIdSchema,
    amount,
    currency,
    token: z.string().check(z.minLength(1), z.maxLength(128)),
    correlationId,
  }),
  capture: z
    .object({
      orderId: orderIdSchema,
      amount,
      currency,
      method: z.enum(['card', 'bank_transfer']),
      authorizationId: z.optional(providerId),
      correlationId,
    })
    .check(
      z.refine((input) => input.method !== 'card' || input.authorizationId !== undefined, {
        message: 'A card capture needs the authorizationId of its authorization',
        path: ['authorizationId'],
      }),
    ),
  refund: z.object({ orderId: orderIdSchema, captureId: providerId, amount, currency, correlationId }),
  awaitBankTransfer: z.object({
    orderId: orderIdSchema,
    // Step Functions task tokens are at most 2,048 characters (SendTaskSuccess's own limit).
    taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
    correlationId,
  }),
};

export type TaskName = keyof typeof schemas;
export type TaskInput<T extends TaskName> = z.infer<(typeof schemas)[T]>;

/** Validates a task's input, or throws a ValidationError naming every bad field. */
export function parseTaskInput<T extends TaskName>(task: T, input: unknown): TaskInput<T> {
  return parseWith(schemas[task] as unknown as z.ZodMiniType<TaskInput<T>>, input, `${task} task input`);
}
