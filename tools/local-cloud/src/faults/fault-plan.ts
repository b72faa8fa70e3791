import { createHash } from 'node:crypto';
import type { LogEntry } from '../contracts.ts';

/**
 * Fault injection for the local cloud: which faults are on, how often each fires, and how many
 * times each fired. Off unless asked for (`--faults`, `LOCAL_FAULTS`, or the `faults` option of
 * startLocalCloud). Every decision comes from a seeded generator, so a run can be repeated. The
 * engine's own faults are in engine-faults.ts; a plugin adds its application's (see plugin.ts).
 */
export interface FaultDefinition {
  /** What `--faults` calls it: kebab-case. */
  name: string;
  /** One line for a command's help. */
  description: string;
  /** What a name given alone means: the share of opportunities, or the count of a `count` fault. */
  defaultRate: number;
  /** A fraction from 0 to 1 of the opportunities (the default), or a whole number of times. */
  measure?: 'rate' | 'count';
}

/**
 * A fault the application's own code injects, told by its environment: the engine sets the
 * environment on every function while the fault is on, and counts the log lines that report it.
 */
export interface PluginFault extends FaultDefinition {
  /** The variables every function gets while the fault is on, from its rate and the plan's seed. */
  environment(setting: { rate: number; seed: number }): Record<string, string>;
  /** Whether a log entry reports that the fault fired. Default: its `fields.fault` is the fault's name. */
  firedIn?(entry: LogEntry): boolean;
}

/** The faults that are on, by name: a fraction of opportunities, or a count. */
export type FaultRates = Record<string, number>;

/**
 * Parses `sqs-duplicate=0.2,handler-crash,restart` (a name alone takes its default rate), or `all`,
 * against the faults a caller knows. Throws a message naming the valid faults on anything else.
 */
export function parseFaults(text: string | undefined, known: readonly FaultDefinition[]): FaultRates {
  const rates: FaultRates = {};
  if (!text?.trim()) return rates;
  const byName = new Map(known.map((fault) => [fault.name, fault]));
  for (const part of text
    .split(',')
    .map((piece) => piece.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=') as [string, string | undefined];
    for (const candidate of name === 'all' ? [...byName.keys()] : [name]) {
      const fault = byName.get(candidate);
      if (!fault) {
        throw new Error(`Unknown fault "${candidate}": use ${[...byName.keys()].join(', ')} or all`);
      }
      const rate = value === undefined ? fault.defaultRate : Number(value);
      const valid = fault.measure === 'count' ? Number.isInteger(rate) && rate >= 0 : rate >= 0 && rate <= 1;
      if (!valid) {
        const wanted = fault.measure === 'count' ? 'a whole number of times' : 'a fraction from 0 to 1';
        throw new Error(`Fault ${fault.name}=${value}: ${wanted}`);
      }
      rates[fault.name] = rate;
    }
  }
  return rates;
}

export function formatFaults(rates: FaultRates): string {
  return Object.entries(rates)
    .map(([name, rate]) => `${name}=${rate}`)
    .join(',');
}

/** The help lines of a list of faults: name, default and what it does. */
export function describeFaults(faults: readonly FaultDefinition[], indent = ''): string {
  const width = Math.max(...faults.map((fault) => fault.name.length));
  return faults
    .map(
      (fault) => `${indent}${fault.name.padEnd(width)}  ${fault.description} (default ${fault.defaultRate})`,
    )
    .join('\n');
}

/** A fault that fired: what the local cloud logs, and what the soak counts. */
export interface FaultFired {
  fault: string;
  detail: string;
}

/**
 * Decides, per opportunity, whether a fault fires, from a seeded generator per fault (one fault's
 * draws do not shift another's), and counts what fired.
 */
export class FaultPlan {
  readonly rates: FaultRates;
  readonly seed: number;
  private readonly draws = new Map<string, () => number>();
  private readonly fired = new Map<string, number>();
  private readonly listeners = new Set<(event: FaultFired) => void>();

  constructor(rates: FaultRates, seed = 1) {
    this.rates = rates;
    this.seed = seed;
  }

  isOn(fault: string): boolean {
    return (this.rates[fault] ?? 0) > 0;
  }

  /** True when the fault fires at this opportunity; counted and announced when it does. */
  fires(fault: string, detail: string): boolean {
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
  record(fault: string, detail: string): void {
    this.fired.set(fault, (this.fired.get(fault) ?? 0) + 1);
    for (const listener of this.listeners) listener({ fault, detail });
  }

  onFired(listener: (event: FaultFired) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counts(): Record<string, number> {
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
