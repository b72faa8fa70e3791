import { currency, orderId, statusAnswer } from './fields.ts';
import { MAX_AMOUNT } from './money.ts';
import * as z from './zod.ts';

/**
 * The bank's webhook, `POST /webhooks/bank-transfers`: the bank's signed notice of a transfer
 * received for an order, and the answer. Apart from the customers' bodies (http.ts), so that the
 * webhook's function bundles these two schemas only.
 */
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
