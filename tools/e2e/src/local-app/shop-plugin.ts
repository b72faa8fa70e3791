import { join } from 'node:path';
import type { LocalCloudPlugin } from '@shop/local-cloud';
import { watchOrders } from './order-watch.ts';
import { pageEndpoints } from './page-endpoints.ts';
import type { ShopSnapshot } from './page-types.ts';
import { providerLatency } from './provider-latency.ts';
import { recentOrders } from './recent-orders.ts';

/** The built-in test provider's tokens (tok_capture_timeout exercises the compensation), offered by the form. */
export const TEST_TOKENS = ['tok_visa', 'tok_declined', 'tok_flaky', 'tok_outage', 'tok_capture_timeout'];
const RECENT_ORDERS = 25;
/** Where `nx build @shop/e2e` puts the panels' bundle and the API reference (scripts/bundle-panels.ts). */
const WEB_DIR = join(import.meta.dirname, '../../dist/web');
const OPENAPI_DOCUMENT = join(import.meta.dirname, '../../../../docs/api/openapi.json');

/**
 * This application on the local cloud: the payment provider's fault, the order as what the flow
 * page follows (its id, `ord_` and a ULID, is in the log lines, paths, events and the payment
 * workflow's execution name), and the page's panels: a form that places orders as the page's own
 * customer, the recent orders with their invoices, and the bank that confirms a transfer.
 */
export const shopPlugin: LocalCloudPlugin = {
  name: 'serverless-commerce',
  faults: [providerLatency],
  subject: { name: 'order', pattern: /\bord_[0-9A-Z]{26}\b/ },
  page: {
    title: 'Serverless Commerce',
    script: join(WEB_DIR, 'shop-panels.js'),
    style: join(WEB_DIR, 'shop-panels.css'),
    documents: [
      { path: '/openapi.json', file: OPENAPI_DOCUMENT, type: 'application/json', title: 'OpenAPI' },
      {
        path: '/api-reference',
        file: join(WEB_DIR, 'api-reference.html'),
        type: 'text/html; charset=utf-8',
        title: 'API reference',
      },
    ],
    start(context) {
      const orders = recentOrders(context.dynamodb, context.model, context.diagram);
      const watch = watchOrders(orders, context.pages, (message) => context.log.warn(message));
      return {
        snapshot: async (): Promise<ShopSnapshot> => ({
          orders: await orders.list(RECENT_ORDERS),
          tokens: TEST_TOKENS,
        }),
        endpoints: pageEndpoints(context, orders),
        stop: () => watch.stop(),
      };
    },
  },
};

export default shopPlugin;
