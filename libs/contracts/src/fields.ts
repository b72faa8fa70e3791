import { idPattern } from './ids.ts';
import { CURRENCIES } from './money.ts';
import * as z from './zod.ts';

/**
 * The fields the HTTP bodies and the messages share: amounts in integer minor units, currencies,
 * ids, timestamps.
 */
export const currency = z.enum(CURRENCIES);
export const amount = z.int().check(z.minimum(0));
export const timestamp = z.iso.datetime();
/** An id in a message's data, whatever made it: a prefixed id, a provider's, or a customer's token `sub`. */
export const id = z.string().check(z.minLength(1), z.maxLength(64));
export const prefixedId = (prefix: string, what: string) =>
  z.string().check(z.regex(idPattern(prefix), `Expected ${what}`));
export const orderId = () => prefixedId('ord', 'an order id');

/** An order's id and the status a request moved it to. */
export const statusAnswer = <const TStatus extends string>(status: TStatus) =>
  z.strictObject({ orderId: orderId(), status: z.literal(status) });
