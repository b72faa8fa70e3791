import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * The bank's side of the bank-transfer webhook: a notice signed as Standard Webhooks prescribe
 * (HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the stage's secret). The
 * services' tests, the local cloud's flow page and the soak play the bank with it; a real bank
 * does the same with its own Standard Webhooks library.
 */
export interface BankTransferNotice {
  orderId: string;
  /** Integer minor units, as the order's total. */
  amount: number;
  currency: string;
  /** The bank's id of the transfer: a notice sent again carries the same one. */
  reference: string;
  /** ISO-8601. */
  paidAt: string;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/**
 * Signs a body (any text: a test may sign one it then alters) with each secret given: several
 * space-separated signatures are how a bank signs while a secret is being rotated.
 */
export function signWebhook(
  secrets: string | readonly string[],
  body: string,
  options: { id?: string; timestamp?: Date } = {},
): SignedRequest {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': [secrets]
        .flat()
        .map((secret) => new Webhook(secret).sign(id, timestamp, body))
        .join(' '),
    },
  };
}

export function signBankTransfer(
  secrets: string | readonly string[],
  notice: BankTransferNotice,
  options: { id?: string; timestamp?: Date } = {},
): SignedRequest {
  return signWebhook(secrets, JSON.stringify(notice), options);
}
