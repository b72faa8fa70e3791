import type { LocalCustomer, PageAnswer, PageEndpoint, PluginPageContext } from '@shop/local-cloud';
import { sendBankTransfer } from '../clients/bank-webhook.ts';
import type { PageCustomer } from './page-types.ts';
import type { RecentOrders } from './recent-orders.ts';

/** The page's own customer: the orders its form places are this customer's. */
const PAGE_CUSTOMER = 'flow-page';
/** Signed in again this long before its token expires (Cognito's access tokens last an hour). */
const TOKEN_RENEWAL_MS = 50 * 60_000;

/**
 * The two parties the API expects that the page plays: a signed-in test customer (the page's own,
 * through the local user pool), as whom it reads an invoice, and the bank, whose signed webhook
 * confirms a transfer.
 *   POST /_local/customer                 the page's customer: its email and access token
 *   POST /_local/bank/transfers           {"orderId"}: the bank pays the order's total
 *   GET  /_local/invoices/{invoiceId}     GET /invoices/{invoiceId} as the page's customer
 */
export function pageEndpoints(context: PluginPageContext, orders: RecentOrders): PageEndpoint[] {
  const signIn = pageCustomer(context);
  return [
    {
      method: 'POST',
      path: '/_local/customer',
      answer: async () => {
        const { email, accessToken } = await signIn();
        return { status: 200, body: { email, accessToken } satisfies PageCustomer };
      },
    },
    {
      method: 'POST',
      path: '/_local/bank/transfers',
      answer: async ({ body }) => {
        const orderId = (body as { orderId?: unknown } | undefined)?.orderId;
        if (typeof orderId !== 'string' || !/^[\w-]{1,64}$/.test(orderId))
          return { status: 400, body: { error: { message: 'orderId is required' } } };
        return confirmTransfer(context, orders, orderId);
      },
    },
    {
      method: 'GET',
      path: /^\/_local\/invoices\/([\w-]+)$/,
      // Another customer's invoice is a 404, as on AWS: a link cannot carry the token itself.
      answer: async ({ params: [invoiceId = ''] }) => {
        const { accessToken } = await signIn();
        const response = await fetch(`${context.apiUrl}/invoices/${encodeURIComponent(invoiceId)}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
        const text = await response.text();
        return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
      },
    },
  ];
}

/** The page's customer, signed in once and again before its token expires. */
function pageCustomer(context: PluginPageContext): () => Promise<LocalCustomer> {
  let customer: { signedIn: Promise<LocalCustomer>; at: number } | undefined;
  return () => {
    if (!customer || Date.now() - customer.at > TOKEN_RENEWAL_MS) {
      const signedIn = context.identity.createCustomer(PAGE_CUSTOMER);
      customer = { signedIn, at: Date.now() };
      // A failed sign-in is not kept: the next request tries again.
      signedIn.catch(() => {
        if (customer?.signedIn === signedIn) customer = undefined;
      });
    }
    return customer.signedIn;
  };
}

/** The bank pays an order's total, with a reference of its own: pressing twice sends the same notice. */
async function confirmTransfer(
  context: PluginPageContext,
  orders: RecentOrders,
  orderId: string,
): Promise<PageAnswer> {
  const order = await orders.get(orderId);
  if (!order) return { status: 404, body: { error: { code: 'not_found', message: 'No such order' } } };
  const secret = context.secrets.webhookSecret();
  if (!secret)
    throw new Error('The templates have no bank webhook: no route without an authorizer reads a secret');
  return sendBankTransfer(context.apiUrl, secret, {
    orderId,
    amount: order.total,
    currency: order.currency,
    reference: `local-bank-${orderId}`,
    paidAt: new Date().toISOString(),
  });
}
