import type { FlowPageHost } from '@shop/local-cloud/page';
import type { ShopMessage, ShopSnapshot } from '../src/local-app/page-types.ts';
import { mountOrderForm } from './order-form.ts';
import { mountOrdersTable } from './orders-table.ts';
import { signIn } from './page-customer.ts';

/**
 * This application's panels on the flow page: a form that places an order as the page's own
 * signed-in customer, and the recent orders, kept up to date by what the plugin's server side
 * sends. Selecting an order shows its log lines and workflow history in the page's details panel.
 */
export default function mount(host: FlowPageHost): void {
  host.addSkipLink('Skip to the order form', 'place-title');
  const customerNote = host.addHeaderNote('customer');
  const formPanel = host.addPanel({ id: 'place', title: 'Place an order' });
  const table = mountOrdersTable(host.addPanel({ id: 'orders', title: 'Recent orders' }), host);
  const form = mountOrderForm(formPanel, {
    customerNote,
    placed: (order) => {
      table.upsert(order);
      host.select(order.orderId);
    },
  });
  let signedIn = false;
  host.onSnapshot((data) => {
    const { orders, tokens } = data as ShopSnapshot;
    form.offerTokens(tokens);
    for (const order of orders) table.upsert(order);
    if (signedIn) return;
    signedIn = true;
    signIn(customerNote).catch((error: unknown) => {
      customerNote.textContent = `Could not sign in a test customer: ${(error as Error).message}`;
    });
  });
  host.onMessage((data) => table.upsert((data as ShopMessage).order));
}
