import { type BankTransferNotice, sendBankTransfer } from '../clients/bank-webhook.ts';

/**
 * The bank's side of a soak: the signed notice of each confirmed transfer (Standard Webhooks, the
 * stage's secret), for the order's total and currency, under a reference that stays the order's,
 * so that every repeat of it is the same transfer. Like a real bank's webhook, a notice is sent
 * again when it got no answer, and once more after it was taken, which the payment must answer
 * with the same 202.
 */
export interface SoakBank {
  /**
   * Sends the notice until the payment takes it: a 404 or 409 while the workflow has not reached
   * the wait yet, a 5xx or no answer while the cloud restarts. False when `giveUp` said to stop first.
   */
  confirm(notice: BankTransferNotice, giveUp: () => boolean): Promise<boolean>;
  readonly repeated: { sent: number; refused: { orderId: string; status: number }[] };
}

const REPEAT_DEADLINE_MS = 120_000;

export function createSoakBank(target: { readonly url: string; readonly webhookSecret: string }): SoakBank {
  const repeated: SoakBank['repeated'] = { sent: 0, refused: [] };
  // Signed at each attempt: a signature is only good for five minutes.
  const send = (notice: BankTransferNotice) =>
    sendBankTransfer(target.url, target.webhookSecret, notice).then(
      ({ status }) => status,
      () => 0,
    );
  const pause = (attempt: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * attempt)));

  return {
    repeated,
    async confirm(notice, giveUp) {
      for (let attempt = 1; !giveUp(); attempt += 1) {
        if ((await send(notice)) === 202) {
          await repeat(notice);
          return true;
        }
        await pause(attempt);
      }
      return false;
    },
  };

  /** On a deadline of its own: the order may settle meanwhile, and the repeat still gets its answer. */
  async function repeat(notice: BankTransferNotice): Promise<void> {
    repeated.sent += 1;
    let status = 0;
    const giveUp = Date.now() + REPEAT_DEADLINE_MS;
    for (let attempt = 1; Date.now() < giveUp; attempt += 1) {
      status = await send(notice);
      if (status !== 0 && status < 500) break;
      await pause(attempt);
    }
    if (status !== 202) repeated.refused.push({ orderId: notice.orderId, status });
  }
}
