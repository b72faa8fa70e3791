import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalCloud } from '@shop/local-cloud';
import { eventually } from '@shop/testing/eventually';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from './e2e-support.ts';
import { startFlowPageCloud } from './flow-page-support.ts';

/**
 * The flow page at `/` in a real browser: Debian's Chromium, driven by playwright-core (no browser
 * download). Where no Chromium is installed these tests are skipped, loudly; `.ci/run` installs
 * it so CI always runs them.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(
    `\n*** The flow page's browser tests are SKIPPED: no Chromium at ${chromiumPath}.\n` +
      '*** Install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH.\n',
  );
}
const reportsDir = join(import.meta.dirname, '../reports');
/** Long enough for a laptop screen's worth of layout, as the page is meant to be seen. */
const viewport = { width: 1440, height: 900 };

describe.runIf(hasChromium)('the flow page in Chromium', () => {
  let cloud: LocalCloud;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cloud = await startFlowPageCloud();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
    page = await browser.newPage({ viewport });
    mkdirSync(reportsDir, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  const rowOf = (orderId: string) => page.locator(`tr[data-order-id="${orderId}"]`);

  async function placeFromForm(options: {
    token?: string;
    method?: 'card' | 'bank_transfer';
  }): Promise<string> {
    if (options.method === 'bank_transfer') await page.getByLabel('Bank transfer').check();
    else {
      await page.getByLabel('Card', { exact: true }).check();
      await page.getByLabel('Test card token').selectOption(options.token ?? 'tok_visa');
    }
    await page.getByRole('button', { name: 'Place order' }).click();
    return placedOrderId();
  }

  async function placedOrderId(): Promise<string> {
    const status = page.getByRole('status').filter({ hasText: /Order ord_\w+ placed/ });
    await status.waitFor();
    const text = (await status.textContent()) ?? '';
    const orderId = /ord_\w+/.exec(text)?.[0];
    if (!orderId) throw new Error(`No order id in "${text}"`);
    return orderId;
  }

  it('lists an order placed before the page was opened, from the snapshot', async () => {
    const placed = await apiClient(cloud).placeOrder({ method: 'card', token: 'tok_visa' });
    await eventually(
      () => apiClient(cloud).getOrder(placed.body.orderId),
      (response) => response.body?.status === 'INVOICED',
    );
    await page.goto(cloud.url);
    await expect(page.getByRole('heading', { name: 'Place an order' })).toBeDefined();
    await rowOf(placed.body.orderId).locator('[data-status="INVOICED"]').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    // The diagram's boxes come from the template: every route and queue of the local model.
    for (const route of cloud.model.routes) {
      expect(await page.locator(`[data-node="route:${route.routeKey}"]`).count()).toBe(1);
    }
    expect(await page.locator('.box.queue').count()).toBeGreaterThanOrEqual(4);
    // Every form control has a label a screen reader announces.
    const unlabelled = await page.evaluate(
      "[...document.querySelectorAll('input, select')].filter((c) => c.labels.length === 0).map((c) => c.id)",
    );
    expect(unlabelled).toEqual([]);
  });

  it('places a tok_visa order from the form, follows it to INVOICED live, and opens its invoice', async () => {
    await page.goto(cloud.url);
    await page.getByText('Live', { exact: true }).waitFor();
    const orderId = await placeFromForm({ token: 'tok_visa' });
    // The diagram lights up as the order passes through it.
    await page.locator('.box.lit').first().waitFor();

    await rowOf(orderId).locator('[data-status="INVOICED"]').waitFor();
    // The order-events queue keeps no order: the invoice may settle the order before the capture
    // that brings the attempts is applied, so the row shows them a moment later.
    await rowOf(orderId).locator('.payment', { hasText: 'card · captured · 1 attempt' }).waitFor();
    // The details panel shows the order's correlated log lines and its workflow execution.
    await page.locator('#log-lines li', { hasText: 'Order accepted' }).waitFor();
    await page.locator('#history li', { hasText: 'ExecutionSucceeded' }).waitFor();
    await page.screenshot({ path: join(reportsDir, 'flow-page-invoiced.png'), fullPage: true });

    await rowOf(orderId)
      .getByRole('link', { name: `Invoice of order ${orderId}` })
      .click();
    const invoice = JSON.parse((await page.locator('body').textContent()) ?? '{}');
    expect(invoice).toMatchObject({ orderId, total: expect.any(Number), lines: expect.any(Array) });
  });

  it('shows a tok_declined order, placed with the keyboard alone, as PAYMENT_FAILED with the reason card_declined', async () => {
    await page.goto(cloud.url);
    await page.getByText('Live', { exact: true }).waitFor();
    // Keyboard only: the skip link leads to the form, Tab walks it, Enter submits it.
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate('document.activeElement.id || document.activeElement.textContent');
    await expect(focused()).resolves.toBe('Skip to the order form');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.value')).resolves.toBe('card');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('token');
    // Type-ahead picks the option, as a user of a select would.
    await page.keyboard.type('tok_d');
    await expect(page.getByLabel('Test card token').inputValue()).resolves.toBe('tok_declined');
    await page.keyboard.press('Tab');
    await expect(focused()).resolves.toBe('sku');
    await page.keyboard.press('Enter');
    const orderId = await placedOrderId();
    await rowOf(orderId).locator('[data-status="PAYMENT_FAILED"]').waitFor();
    await expect(rowOf(orderId).locator('.payment').textContent()).resolves.toContain('card_declined');
    await page.locator('#history li.failed').first().waitFor();
  });

  it('waits on a bank transfer until it is confirmed from the page', async () => {
    await page.goto(cloud.url);
    await page.getByText('Live', { exact: true }).waitFor();
    const orderId = await placeFromForm({ method: 'bank_transfer' });
    const confirm = rowOf(orderId).getByRole('button', { name: 'Confirm transfer' });
    // The workflow must be waiting for the transfer (its token stored) before the callback resumes it.
    await page.locator('#log-lines li', { hasText: 'Awaiting bank transfer' }).waitFor();
    await expect(rowOf(orderId).locator('[data-status]').textContent()).resolves.toBe('PENDING_PAYMENT');
    // Mid-flow, and it stays there until confirmed: the screenshot to look at.
    await page.screenshot({ path: join(reportsDir, 'flow-page-mid-flow.png'), fullPage: true });
    await confirm.click();
    await rowOf(orderId).locator('[data-status="INVOICED"]').waitFor();
  });

  it("shows a notice at the top of the page as it is said, a build's error lines as they are, until it is cleared", async () => {
    await page.goto(cloud.url);
    await page.getByText('Live', { exact: true }).waitFor();
    const notices = page.getByRole('alert', { name: 'Notices' });
    expect(await notices.isHidden()).toBe(true);

    cloud.notices.show({
      id: 'build:orders/get-order',
      title: 'orders/get-order did not build; its functions keep the code they run:',
      text: '✘ [ERROR] Expected ")" but found ";"\n\n    apps/orders/src/handlers/get-order.ts:9:2:',
    });
    await notices.getByText('orders/get-order did not build').waitFor();
    expect(await notices.locator('pre').textContent()).toContain('but found ";"\n\n    apps/orders/');

    cloud.notices.clear('build:orders/get-order');
    await notices.waitFor({ state: 'hidden' });
  });

  it('opens the API reference from the header and renders it with nothing fetched from another origin', async () => {
    const reference = await browser.newPage({ viewport });
    const elsewhere: string[] = [];
    const refused: string[] = [];
    reference.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) refused.push(message.text());
    });
    await reference.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(cloud.url) || url.startsWith('data:') || url.startsWith('blob:'))
        return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    try {
      await reference.goto(cloud.url);
      await reference.getByRole('link', { name: 'API reference' }).click();
      await reference.getByRole('heading', { name: /Serverless Commerce HTTP API/ }).waitFor();
      await reference
        .getByText('Place an order for the signed-in customer', { exact: false })
        .first()
        .waitFor();
      // Redoc's sidebar asks a CDN for its logo once it has rendered: the document's policy refuses
      // it in the browser, so it never reaches the network.
      await expect.poll(() => elsewhere.length + refused.length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(elsewhere).toEqual([]);
      expect(refused).toEqual([expect.stringMatching(/image 'https:\/\/cdn\.redoc\.ly\/.*blocked/)]);
    } finally {
      await reference.close();
    }
  });
});
