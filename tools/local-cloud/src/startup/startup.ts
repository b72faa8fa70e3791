import type { LogSink } from '../contracts.ts';

/** The account id the local cloud uses everywhere (fauxqs' own). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** What every part of a starting local cloud shares. */
export interface Startup {
  region: string;
  log: LogSink;
  /** Where the parts keep their state across restarts, when they do. */
  persistDir?: string;
  stoppers: Stoppers;
}

/** What stops the parts started so far, last started first; a part that fails to stop is passed over. */
export class Stoppers {
  private readonly stoppers: (() => Promise<unknown>)[] = [];

  add(stop: () => Promise<unknown>): void {
    this.stoppers.push(stop);
  }

  async stopAll(): Promise<void> {
    for (const stop of this.stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  }
}
