import { create, element, type FlowPageHost } from '@shop/local-cloud/page';
import type { OrderSummary } from '../src/local-app/page-types.ts';
import { setFormStatus } from './order-form.ts';

/**
 * The recent orders, every customer's: status, payment attempts and failure reason, a link to the
 * invoice, and a button with which the local cloud plays the bank for a transfer that waits. A
 * newer version of an order (by `updatedAt`) replaces the one shown, never an older one.
 */
const SHOWN = 25;
const TABLE = `
  <table class="orders-table">
    <thead>
      <tr>
        <th scope="col">Order</th>
        <th scope="col">Status</th>
        <th scope="col">Payment</th>
        <th scope="col">Invoice</th>
      </tr>
    </thead>
    <tbody id="orders"></tbody>
  </table>
  <p id="no-orders" class="empty">No orders yet: place one with the form.</p>`;

export interface OrdersTable {
  /** Shows the order, unless a newer version of it is shown already. */
  upsert(order: OrderSummary): void;
}

export function mountOrdersTable(panel: HTMLElement, host: FlowPageHost): OrdersTable {
  panel.insertAdjacentHTML('beforeend', TABLE);
  const orders = new Map<string, OrderSummary>();
  const render = () => {
    const sorted = [...orders.values()]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, SHOWN);
    element('orders').replaceChildren(...sorted.map((order) => orderRow(order, host)));
    element('no-orders').hidden = sorted.length > 0;
  };
  host.onSelect(render);
  return {
    upsert(order) {
      const known = orders.get(order.orderId);
      if (known && (known.updatedAt ?? '') > (order.updatedAt ?? '')) return;
      orders.set(order.orderId, order);
      render();
    },
  };
}

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

function paymentText(order: OrderSummary): string {
  const { payment } = order;
  const attempts = `${payment.attempts} attempt${payment.attempts === 1 ? '' : 's'}`;
  return [payment.method.replace('_', ' '), payment.status.toLowerCase(), attempts, payment.reason]
    .filter(Boolean)
    .join(' · ');
}

function orderRow(order: OrderSummary, host: FlowPageHost): HTMLTableRowElement {
  const select = create('button', {
    className: 'link-button',
    text: order.orderId,
    attrs: { type: 'button', 'aria-pressed': String(order.orderId === host.selected()) },
  });
  select.addEventListener('click', () => host.select(order.orderId));
  const invoice = order.invoiceId
    ? create('a', {
        text: 'Invoice',
        // The API's GET /invoices, asked as the page's customer by the local cloud (a link cannot carry a token).
        attrs: {
          href: `/_local/invoices/${order.invoiceId}`,
          'aria-label': `Invoice of order ${order.orderId}`,
        },
      })
    : create('span', { className: 'muted', text: '—' });
  const actions: HTMLElement[] = [invoice];
  if (order.payment.method === 'bank_transfer' && order.status === 'PENDING_PAYMENT') {
    const confirm = create('button', { text: 'Confirm transfer', attrs: { type: 'button' } });
    confirm.addEventListener('click', () => confirmTransfer(order.orderId, confirm));
    actions.push(confirm);
  }
  return create('tr', { attrs: { 'data-order-id': order.orderId } }, [
    create('td', {}, [
      select,
      create('span', { className: 'muted amount', text: money(order.total, order.currency) }),
    ]),
    create('td', {}, [
      create('span', {
        className: `status status-${order.status.toLowerCase()}`,
        text: order.status,
        attrs: { 'data-status': order.status },
      }),
    ]),
    create('td', { className: 'payment', text: paymentText(order) }),
    create('td', { className: 'actions' }, actions),
  ]);
}

/** The local cloud plays the bank: it pays the order's total with a signed webhook. */
async function confirmTransfer(orderId: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const response = await fetch('/_local/bank/transfers', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderId }),
    });
    setFormStatus(
      response.ok
        ? `The bank confirmed the transfer for ${orderId}`
        : `The webhook refused the transfer for ${orderId}: ${response.status}`,
      !response.ok,
    );
  } finally {
    button.disabled = false;
  }
}
