import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

/**
 * The parity report of a run: per scenario, its outcome and the journey of each order it placed
 * (event types in the order the stream holds them, and final statuses). Two targets that behave
 * alike give equal reports, whatever their timings: nothing in it is a time, an id or a duration.
 */
export interface OrderJourney {
  events: string[];
  orderStatus: string | undefined;
  paymentStatus: string | undefined;
}

export interface ScenarioRecord {
  orders: Record<string, OrderJourney>;
}

declare module 'vitest' {
  interface TaskMeta {
    /** What the parity report keeps of a scenario: each order's events and final statuses. */
    scenario?: ScenarioRecord;
  }
}

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface ParityReport {
  /** The stage the run read; not compared. */
  stage: string;
  scenarios: Record<string, { outcome: Outcome } & ScenarioRecord>;
}

export function writeReport(file: string, report: ParityReport): void {
  const sorted = Object.fromEntries(Object.entries(report.scenarios).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(file, `${JSON.stringify({ ...report, scenarios: sorted }, null, 2)}\n`);
}

export function readReport(file: string): ParityReport {
  const read = JSON.parse(readFileSync(file, 'utf8')) as ParityReport;
  if (typeof read !== 'object' || read === null || typeof read.scenarios !== 'object') {
    throw new Error(`${file} is not a report of npm run e2e -- --report`);
  }
  return read;
}

/**
 * Where two reports differ, one line each naming the scenario and what differs; empty when they
 * agree. A scenario one report has and the other has not (a run with --only) is a difference too.
 */
export function compareReports(a: ParityReport, b: ParityReport, names = ['A', 'B']): string[] {
  const [nameA, nameB] = names;
  const differences: string[] = [];
  const scenarios = [...new Set([...Object.keys(a.scenarios), ...Object.keys(b.scenarios)])].sort();
  for (const scenario of scenarios) {
    const left = a.scenarios[scenario];
    const right = b.scenarios[scenario];
    if (!left || !right) {
      differences.push(`${scenario}: only in ${left ? nameA : nameB}`);
      continue;
    }
    if (left.outcome !== right.outcome) {
      differences.push(`${scenario}: ${left.outcome} in ${nameA}, ${right.outcome} in ${nameB}`);
    }
    const orders = [...new Set([...Object.keys(left.orders), ...Object.keys(right.orders)])].sort();
    for (const order of orders) {
      const journeyA = left.orders[order];
      const journeyB = right.orders[order];
      if (!journeyA || !journeyB) {
        differences.push(`${scenario}, order "${order}": only in ${journeyA ? nameA : nameB}`);
        continue;
      }
      for (const field of ['events', 'orderStatus', 'paymentStatus'] as const) {
        if (isDeepStrictEqual(journeyA[field], journeyB[field])) continue;
        differences.push(
          `${scenario}, order "${order}", ${field}: ${JSON.stringify(journeyA[field])} in ${nameA}, ${JSON.stringify(journeyB[field])} in ${nameB}`,
        );
      }
    }
  }
  return differences;
}
