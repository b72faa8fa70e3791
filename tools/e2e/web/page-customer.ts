import type { PageCustomer } from '../src/local-app/page-types.ts';

/**
 * The test customer the local cloud signs in for this page (POST /_local/customer): the orders the
 * form places carry its token, so they are its own, as a customer's would be.
 */
let customer: Promise<PageCustomer> | undefined;

export function signIn(note: HTMLElement, renew = false): Promise<PageCustomer> {
  if (!customer || renew) {
    customer = fetch('/_local/customer', { method: 'POST' }).then(async (response) => {
      if (!response.ok) throw new Error(`signing in answered ${response.status}`);
      const signedIn = (await response.json()) as PageCustomer;
      note.textContent = `Signed in as ${signedIn.email}`;
      return signedIn;
    });
    customer.catch(() => {
      customer = undefined;
    });
  }
  return customer;
}

/** A call to the API as the page's customer; an expired token is renewed once. */
export async function callApi(note: HTMLElement, path: string, init: RequestInit = {}): Promise<Response> {
  const send = async (renew: boolean) => {
    const { accessToken } = await signIn(note, renew);
    return fetch(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${accessToken}` },
    });
  };
  const response = await send(false);
  return response.status === 401 ? send(true) : response;
}
