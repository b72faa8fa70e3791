import { create, element } from './dom.ts';

const TICKER_LINES = 12;

/** The latest activity, newest first, a few lines of it. */
export function addTicker(text: string, failed: boolean, time: string): void {
  const ticker = element('ticker');
  ticker.prepend(
    create('li', { className: failed ? 'failed' : '' }, [
      create('time', { text: time.slice(11, 19), attrs: { datetime: time } }),
      ` ${text}`,
    ]),
  );
  while (ticker.children.length > TICKER_LINES) ticker.lastElementChild?.remove();
}
