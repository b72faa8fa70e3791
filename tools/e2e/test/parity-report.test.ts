import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS } from '@shop/contracts/events';
import { afterAll, describe, expect, it } from 'vitest';
import { compareReports, type ParityReport, writeReport } from '../src/e2e/report.ts';
import { runE2e } from '../src/e2e/run-e2e.ts';

/** Two runs' parity reports compared: what `npm run e2e -- --compare A B` says and exits with. */
const folder = mkdtempSync(join(tmpdir(), 'parity-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const paid = [EVENTS.OrderPlaced.type, EVENTS.PaymentCaptured.type, EVENTS.InvoiceIssued.type];
const local: ParityReport = {
  stage: 'local',
  scenarios: {
    'a card payment > with tok_visa': {
      outcome: 'passed',
      orders: { tok_visa: { events: paid, orderStatus: 'INVOICED', paymentStatus: 'CAPTURED' } },
    },
    'a hostile request > is refused: no items': { outcome: 'passed', orders: {} },
  },
};

function saved(name: string, report: ParityReport): string {
  const file = join(folder, name);
  writeReport(file, report);
  return file;
}

describe('two parity reports', () => {
  it('agree when only the stage differs: the scenarios, outcomes, events and statuses are the same', async () => {
    expect(compareReports(local, { ...local, stage: 'dev-alice' })).toEqual([]);
    const lines: string[] = [];
    const code = await runE2e(
      ['--compare', saved('a.json', local), saved('b.json', { ...local, stage: 'x' })],
      {
        out: (text) => lines.push(text),
        err: (text) => lines.push(text),
      },
    );
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/agree/);
  });

  it('differ where an order took other events, a scenario failed or is missing, each said with its scenario', async () => {
    const stage: ParityReport = {
      stage: 'dev-alice',
      scenarios: {
        'a card payment > with tok_visa': {
          outcome: 'failed',
          orders: { tok_visa: { events: paid.slice(0, 2), orderStatus: 'PAID', paymentStatus: 'CAPTURED' } },
        },
      },
    };
    const differences = compareReports(local, stage, ['local.json', 'stage.json']);
    expect(differences).toEqual([
      'a card payment > with tok_visa: passed in local.json, failed in stage.json',
      `a card payment > with tok_visa, order "tok_visa", events: ${JSON.stringify(paid)} in local.json, ${JSON.stringify(paid.slice(0, 2))} in stage.json`,
      'a card payment > with tok_visa, order "tok_visa", orderStatus: "INVOICED" in local.json, "PAID" in stage.json',
      'a hostile request > is refused: no items: only in local.json',
    ]);
    const printed: string[] = [];
    const code = await runE2e(['--compare', saved('local.json', local), saved('stage.json', stage)], {
      out: (text) => printed.push(text),
      err: (text) => printed.push(text),
    });
    expect(code).toBe(1);
    expect(printed.join('\n')).toContain('order "tok_visa", orderStatus');
  });
});
