import type { SoakCustomer } from './customers.ts';

/**
 * The soak's HTTP client, behaving as a careful real client: every POST carries the customer's
 * token and an Idempotency-Key, and a 5xx or a network error (the local cloud may be restarting)
 * is retried with the same key, with backoff, until a deadline. A 401 renews the customer's token
 * and sends the request again. The base URL is read per attempt: after a restart it may change.
 */
export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiClient {
  post(path: string, body: unknown, idempotencyKey: string, customer: SoakCustomer): Promise<ApiResponse>;
  /** How many attempts were retried (5xx or network error) so far. */
  readonly retries: number;
}

/** A token refused again right after its renewal is not the token's fault: the 401 is the answer. */
const RENEWALS_PER_REQUEST = 2;

export function createApiClient(options: { baseUrl: () => string; deadlineMs: number }): ApiClient {
  let retries = 0;
  return {
    get retries() {
      return retries;
    },
    async post(path, body, idempotencyKey, customer) {
      const giveUp = Date.now() + options.deadlineMs;
      let renewals = 0;
      for (let attempt = 1; ; attempt += 1) {
        let failure: string;
        try {
          const token = await customer.bearer();
          const response = await fetch(`${options.baseUrl()}${path}`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': idempotencyKey,
            },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          if (response.status === 401 && renewals < RENEWALS_PER_REQUEST) {
            renewals += 1;
            await customer.renew(token);
            continue;
          }
          if (response.status < 500)
            return { status: response.status, body: text ? JSON.parse(text) : undefined };
          failure = `HTTP ${response.status}: ${text.slice(0, 200)}`;
        } catch (error) {
          failure = (error as Error).message;
        }
        if (Date.now() > giveUp) throw new Error(`POST ${path} failed ${attempt} times; last: ${failure}`);
        retries += 1;
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt) * Math.random()),
        );
      }
    },
  };
}
