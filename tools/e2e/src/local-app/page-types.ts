/**
 * What this application's panels on the flow page and their server side say to each other: the
 * orders the page lists, its signed-in customer, and the tokens its form offers. Imported by the
 * server and bundled into the browser, so it holds types only.
 */
export interface OrderSummary {
  orderId: string;
  status: string;
  total: number;
  currency: string;
  createdAt: string;
  updatedAt?: string;
  payment: { method: string; status: string; attempts: number; reason?: string };
  invoiceId?: string;
}

/** The plugin's part of the page's snapshot. */
export interface ShopSnapshot {
  /** The most recent orders, newest first, every customer's. */
  orders: OrderSummary[];
  /** Test payment tokens the form offers (the built-in test provider's). */
  tokens: string[];
}

/** What the plugin's server side streams: an order that changed since it was last sent. */
export interface ShopMessage {
  kind: 'order';
  order: OrderSummary;
}

/** The test customer the page places its orders as, signed in through the local user pool. */
export interface PageCustomer {
  email: string;
  /** For `Authorization: Bearer ...` on the API's customer routes. */
  accessToken: string;
}
