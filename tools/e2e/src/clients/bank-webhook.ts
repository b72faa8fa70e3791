import { type BankTransferNotice, signBankTransfer } from '@shop/testing/bank-webhook';

export type { BankTransferNotice } from '@shop/testing/bank-webhook';

/** Where the bank posts its signed notices: the API's one route without a customer's token. */
export const BANK_TRANSFER_WEBHOOK_PATH = '/webhooks/bank-transfers';

/** Posts a notice, signed with the stage's webhook secret, to the API at `baseUrl`: its status and parsed body. */
export async function sendBankTransfer(
  baseUrl: string,
  secret: string,
  notice: BankTransferNotice,
): Promise<{ status: number; body: unknown }> {
  const { body, headers } = signBankTransfer(secret, notice);
  const response = await fetch(`${baseUrl}${BANK_TRANSFER_WEBHOOK_PATH}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}
