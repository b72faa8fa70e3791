import { createHash } from 'node:crypto';

/**
 * Fault injection for the local cloud: which faults are on, how often each fires, and how many
 * times each fired. Off unless asked for (`--faults`, `LOCAL_FAULTS`, or the `faults` option of
 * startLocalCloud). Every decision comes from a seeded generator, so a run can be repeated.
 */
export const FAULT_NAMES = [
  /** The SQS event source mapping delivers a message a second time, in a separate invocation. */
  'sqs-duplicate',
  /** The function dies in the middle of an SQS batch: some records were handled, none is acknowledged. */
  'handler-crash',
  /** DynamoDB answers ProvisionedThroughputExceededException (the real wire shape). */
  'dynamodb-throttle',
  /** The test payment provider answers slowly, or not in time (a transient ProviderUnavailableError). */
  'provider-latency',
  /** The local cloud process is killed (SIGKILL) mid-run and started again on its --persist folder. */
  'restart',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** The share of opportunities each fault fires on, when it is not given (`--faults sqs-duplicate`). */
export const DEFAULT_FAULT_RATES: Record<FaultName, number> = {
  'sqs-duplicate': 0.1,
  'handler-crash': 0.05,
  'dynamodb-throttle': 0.05,
  'provider-latency': 0.2,
  // Not a rate: how many times the soak kills and restarts the cloud.
  restart: 1,
};

export type FaultRates = Partial<Record<FaultName, number>>;

/**
 * Parses `sqs-duplicate=0.2,handler-crash,restart` (a name alone takes its default rate), or `all`.
 * Throws a message naming the valid faults on anything else.
 */
export function parseFaults(text: string | undefined): FaultRates {
  const rates: FaultRates = {};
  if (!text?.trim()) return rates;
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=') as [string, string | undefined];
    const names = name === 'all' ? FAULT_NAMES : [name];
    for (const candidate of names) {
      if (!(FAULT_NAMES as readonly string[]).includes(candidate)) {
        throw new Error(`Unknown fault "${candidate}": use ${FAULT_NAMES.join(', ')} or all`);
      }
      const fault = candidate as FaultName;
      const rate = value === undefined ? DEFAULT_FAULT_RATES[fault] : Number(value);
      const valid = fault === 'restart' ? Number.isInteger(rate) && rate >= 0 : rate >= 0 && rate <= 1;
      if (!valid) {
        throw new Error(
          `Fault ${fault}=${value}: ${fault === 'restart' ? 'a whole number of restarts' : 'a fraction from 0 to 1'}`,
        );
      }
      rates[fault] = rate;
    }
  }
  return rates;
}

export function formatFaults(rates: FaultRates): string {
  return Object.entries(rates)
    .map(([name, rate]) => `${name}=${rate}`)
    .join(',');
}

/** A fault that fired: what the local cloud logs, and what the soak counts. */
export interface FaultFired {
  fault: FaultName;
  detail: string;
}

/**
 * Decides, per opportunity, whether a fault fires, from a seeded generator per fault (one fault's
 * draws do not shift another's), and counts what fired.
 */
export class FaultPlan {
  readonly rates: FaultRates;
  readonly seed: number;
  private readonly draws = new Map<FaultName, () => number>();
  private readonly fired = new Map<FaultName, number>();
  private readonly listeners = new Set<(event: FaultFired) => void>();

  constructor(rates: FaultRates, seed = 1) {
    this.rates = rates;
    this.seed = seed;
  }

  isOn(fault: FaultName): boolean {
    return (this.rates[fault] ?? 0) > 0;
  }

  /** True when the fault fires at this opportunity; counted and announced when it does. */
  fires(fault: FaultName, detail: string): boolean {
    const rate = this.rates[fault] ?? 0;
    if (rate <= 0) return false;
    let draw = this.draws.get(fault);
    if (!draw) {
      draw = seededRandom(`${this.seed}:${fault}`);
      this.draws.set(fault, draw);
    }
    if (draw() >= rate) return false;
    this.record(fault, detail);
    return true;
  }

  /** Counts a fault that fired elsewhere (a function's log line says so). */
  record(fault: FaultName, detail: string): void {
    this.fired.set(fault, (this.fired.get(fault) ?? 0) + 1);
    for (const listener of this.listeners) listener({ fault, detail });
  }

  onFired(listener: (event: FaultFired) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counts(): Partial<Record<FaultName, number>> {
    return Object.fromEntries(this.fired);
  }
}

/** mulberry32 seeded from a text: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seedText: string): () => number {
  let state = createHash('sha256').update(seedText).digest().readUInt32LE(0);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
