import { create, element } from '@shop/local-cloud/page';
import type { OrderSummary } from '../src/local-app/page-types.ts';
import { callApi } from './page-customer.ts';

/** The form that places an order with any test token or a bank transfer, as the page's customer. */
const FORM = `
  <form id="order-form" class="order-form">
    <fieldset>
      <legend>Payment method</legend>
      <label><input type="radio" name="method" value="card" checked /> Card</label>
      <label><input type="radio" name="method" value="bank_transfer" /> Bank transfer</label>
    </fieldset>
    <div class="field">
      <label for="token">Test card token</label>
      <select id="token" name="token"></select>
    </div>
    <div class="field">
      <label for="sku">Item (SKU)</label>
      <input id="sku" name="sku" value="BOOK-1" required maxlength="64" />
    </div>
    <div class="field">
      <label for="quantity">Quantity</label>
      <input id="quantity" name="quantity" type="number" min="1" step="1" value="2" required />
    </div>
    <div class="field">
      <label for="unit-price">Unit price (cents)</label>
      <input id="unit-price" name="unitPrice" type="number" min="1" step="1" value="1250" required />
    </div>
    <div class="field">
      <label for="currency">Currency</label>
      <select id="currency" name="currency">
        <option>EUR</option>
        <option>USD</option>
        <option>GBP</option>
      </select>
    </div>
    <button type="submit">Place order</button>
    <p id="form-status" class="form-status" role="status" aria-live="polite"></p>
  </form>`;

export function setFormStatus(text: string, failed = false): void {
  const status = element('form-status');
  status.textContent = text;
  status.classList.toggle('failed', failed);
}

/** Fills `panel` with the form; `placed` gets each order the API accepted. */
export function mountOrderForm(
  panel: HTMLElement,
  options: { customerNote: HTMLElement; placed: (order: OrderSummary) => void },
): { offerTokens(tokens: string[]): void } {
  panel.insertAdjacentHTML('beforeend', FORM);
  const form = element<HTMLFormElement>('order-form');
  const token = element<HTMLSelectElement>('token');
  const syncMethod = () => {
    token.disabled = new FormData(form).get('method') !== 'card';
  };
  form.addEventListener('change', syncMethod);
  syncMethod();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    placeOrder(form, options).catch((error: unknown) => {
      setFormStatus(`The local cloud did not answer: ${(error as Error).message}`, true);
    });
  });
  return {
    offerTokens(tokens) {
      if (token.options.length === 0) token.append(...tokens.map((name) => create('option', { text: name })));
    },
  };
}

async function placeOrder(
  form: HTMLFormElement,
  options: { customerNote: HTMLElement; placed: (order: OrderSummary) => void },
): Promise<void> {
  const data = new FormData(form);
  const method = String(data.get('method'));
  const body = {
    currency: String(data.get('currency')),
    items: [
      {
        sku: String(data.get('sku')),
        quantity: Number(data.get('quantity')),
        unitPrice: Number(data.get('unitPrice')),
      },
    ],
    payment: method === 'card' ? { method, token: String(data.get('token')) } : { method },
  };
  const submit = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  submit.disabled = true;
  setFormStatus('Placing the order…');
  try {
    const response = await callApi(options.customerNote, '/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as
      | { orderId: string; status: string; total: number; currency: string }
      | { error: { message: string } };
    if (!response.ok || 'error' in answer) {
      setFormStatus(`Refused (${response.status}): ${'error' in answer ? answer.error.message : ''}`, true);
      return;
    }
    setFormStatus(`Order ${answer.orderId} placed: ${answer.status}`);
    options.placed({
      orderId: answer.orderId,
      status: answer.status,
      total: answer.total,
      currency: answer.currency,
      createdAt: new Date().toISOString(),
      payment: { method, status: 'PENDING', attempts: 0 },
    });
  } finally {
    submit.disabled = false;
  }
}
