import type { UserPoolTarget } from '@shop/local-cloud';
import { type TestCustomers, testCustomers } from '../clients/test-customers.ts';

/**
 * The soak's customers, signed in to the user pool the API trusts with the same Cognito calls as
 * `npm run token`. Each keeps its own access token and renews it by signing in again a few
 * minutes before it expires and when the API refuses it (401), so a long soak and a restarted
 * cloud keep going; the requests that ask while a renewal runs share it.
 */
export interface SoakCustomer {
  readonly name: string;
  /** The token's `sub`: what the Orders table records as the customer id of its orders. */
  readonly sub: string;
  /** An access token with a few minutes left at least. */
  bearer(): Promise<string>;
  /** The API refused `token`: a new one, unless the customer has renewed it since. */
  renew(token: string): Promise<void>;
}

export interface SoakCustomers {
  list: SoakCustomer[];
  /** Every customer's sub: how a run's orders are told apart in shared tables. */
  subs: ReadonlySet<string>;
  readonly renewals: { beforeExpiry: number; afterRefusal: number };
}

/** Cognito's access tokens last an hour by default; a renewal this close to the end leaves room for slow requests. */
export const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
const SIGN_INS_AT_ONCE = 8;

export async function signInCustomers(options: {
  /** Read per sign-in: a restarted cloud's user pool answers on a new port. */
  userPool: () => UserPoolTarget;
  names: readonly string[];
  /** How long a sign-in keeps trying while the user pool does not answer (a restart). */
  deadlineMs: number;
  now?: () => number;
}): Promise<SoakCustomers> {
  const now = options.now ?? Date.now;
  const renewals = { beforeExpiry: 0, afterRefusal: 0 };
  const clientFor = testCustomersByPool();
  const signIn = async (name: string): Promise<Session> => {
    const signedIn = await signInUntilAnswered(
      () => clientFor(options.userPool()).signIn(name),
      name,
      options.deadlineMs,
    );
    return session(signedIn.accessToken);
  };

  async function customer(name: string): Promise<SoakCustomer> {
    let current = await signIn(name);
    let renewing: Promise<void> | undefined;
    const renewFrom = (stale: Session) => {
      renewing ??= signIn(name)
        .then((fresh) => {
          if (fresh.sub !== stale.sub) {
            throw new Error(`${name} signed in again as another user (${fresh.sub}, was ${stale.sub})`);
          }
          current = fresh;
        })
        .finally(() => {
          renewing = undefined;
        });
      return renewing;
    };
    return {
      name,
      sub: current.sub,
      async bearer() {
        if (renewing) await renewing;
        if (now() >= current.expiresAt - RENEW_BEFORE_EXPIRY_MS) {
          renewals.beforeExpiry += 1;
          await renewFrom(current);
        }
        return current.token;
      },
      async renew(token) {
        if (renewing) return renewing;
        if (token !== current.token) return;
        renewals.afterRefusal += 1;
        await renewFrom(current);
      },
    };
  }

  const list: SoakCustomer[] = [];
  for (let first = 0; first < options.names.length; first += SIGN_INS_AT_ONCE) {
    list.push(...(await Promise.all(options.names.slice(first, first + SIGN_INS_AT_ONCE).map(customer))));
  }
  return { list, subs: new Set(list.map((each) => each.sub)), renewals };
}

/** One client per user pool: a restarted cloud's pool answers on a new port. */
function testCustomersByPool(): (pool: UserPoolTarget) => TestCustomers {
  const clients = new Map<string, TestCustomers>();
  return (pool) => {
    const key = `${pool.endpoint}|${pool.userPoolId}|${pool.clientId}`;
    const client = clients.get(key) ?? testCustomers(pool);
    clients.set(key, client);
    return client;
  };
}

/**
 * Signs in, trying again with backoff while the pool does not answer or fails (a restart) until
 * `deadlineMs` has passed. A refusal by the pool is an answer: it fails at once.
 */
async function signInUntilAnswered(
  signIn: () => Promise<{ accessToken: string }>,
  name: string,
  deadlineMs: number,
): Promise<{ accessToken: string }> {
  const giveUp = Date.now() + deadlineMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await signIn();
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const transient = status === undefined || status >= 500;
      if (!transient || Date.now() > giveUp) {
        throw new Error(`Signing in ${name} failed after ${attempt} attempt(s): ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
    }
  }
}

interface Session {
  token: string;
  sub: string;
  expiresAt: number;
}

/** The claims the soak needs, read from the token the pool just issued (the API verifies it, not the soak). */
function session(token: string): Session {
  const payload = token.split('.')[1];
  const claims = payload
    ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown; exp?: unknown })
    : {};
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
    throw new Error('The access token carries no sub or exp claim');
  }
  return { token, sub: claims.sub, expiresAt: claims.exp * 1000 };
}
