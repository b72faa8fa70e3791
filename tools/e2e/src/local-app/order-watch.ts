import type { PageStream } from '@shop/local-cloud';
import type { ShopMessage } from './page-types.ts';
import type { RecentOrders } from './recent-orders.ts';

/** An order is re-read after activity while it is this recent: a bank transfer can wait long. */
const ORDER_WATCH_MS = 120_000;

/**
 * Keeps the open pages' orders up to date. Orders change in the table after the functions that
 * change them run: after activity on an order, it is read again when more activity comes (an
 * invocation ends), and sent when it differs from what was sent.
 */
export function watchOrders(
  orders: RecentOrders,
  pages: PageStream,
  warn: (message: string) => void,
): { stop(): void } {
  const watched = new Map<string, number>();
  const lastSent = new Map<string, string>();
  let refresh: NodeJS.Timeout | undefined;

  const send = (order: ShopMessage['order']) => {
    const text = JSON.stringify(order);
    if (lastSent.get(order.orderId) === text) return;
    lastSent.set(order.orderId, text);
    pages.send({ kind: 'order', order } satisfies ShopMessage);
  };
  const refreshWatched = async () => {
    const now = Date.now();
    for (const [orderId, since] of watched) if (now - since > ORDER_WATCH_MS) watched.delete(orderId);
    for (const orderId of watched.keys()) {
      const order = await orders.get(orderId);
      if (order) send(order);
    }
  };
  // One read of the watched orders at a time, so an older read never overtakes a newer one;
  // activity during a read asks for another after it, and a failed read is tried again.
  let reading = false;
  let readAgain = false;
  const scheduleRefresh = (delayMs = 50) => {
    if (!pages.connected() || watched.size === 0 || refresh) return;
    if (reading) {
      readAgain = true;
      return;
    }
    refresh = setTimeout(async () => {
      refresh = undefined;
      reading = true;
      readAgain = false;
      let retryMs: number | undefined;
      try {
        await refreshWatched();
      } catch (error) {
        warn(`Could not read the watched orders; trying again: ${(error as Error).message}`);
        retryMs = 1_000;
      } finally {
        reading = false;
      }
      if (retryMs !== undefined || readAgain) scheduleRefresh(retryMs);
    }, delayMs);
  };
  const unsubscribe = [
    pages.onActivity(() => scheduleRefresh()),
    pages.onSubjectTouched((orderId) => {
      watched.set(orderId, Date.now());
      scheduleRefresh();
    }),
  ];
  return {
    stop() {
      for (const stop of unsubscribe) stop();
      clearTimeout(refresh);
    },
  };
}
