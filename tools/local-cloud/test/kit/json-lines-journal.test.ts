import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventDeliveryFile } from '../../src/eventbridge/event-delivery-journal.ts';
import { ExecutionJournal } from '../../src/stepfunctions/execution-journal.ts';

/**
 * Both --persist journals rewrite their file on open, keeping only what is unfinished. A process
 * killed during that rewrite must leave the file as whole as before it. A SIGKILL cannot be aimed
 * at one write from outside, so node:fs is wrapped (a mock: no emulator covers a dying process)
 * and the k-th file write of open() throws instead of returning, for every k: from there on,
 * nothing more of open() runs, as in a killed process. A real open() then reads what is left.
 */
const writes = { count: 0, dieAt: Number.POSITIVE_INFINITY };
class KilledError extends Error {
  override readonly name = 'KilledError';
}

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const dying =
    <A extends unknown[], R>(write: (...args: A) => R) =>
    (...args: A): R => {
      writes.count += 1;
      if (writes.count === writes.dieAt) throw new KilledError(`killed at write ${writes.count}`);
      return write(...args);
    };
  return {
    ...real,
    writeFileSync: dying(real.writeFileSync),
    appendFileSync: dying(real.appendFileSync),
    renameSync: dying(real.renameSync),
  };
});

const dirs: string[] = [];
afterEach(() => {
  writes.dieAt = Number.POSITIVE_INFINITY;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens the journal with a kill at each write in turn, until an open runs to its end; returns the kills. */
function killedAtEveryWrite(open: () => void, check: () => void): number {
  for (let dieAt = 1; ; dieAt += 1) {
    writes.count = 0;
    writes.dieAt = dieAt;
    let killed = false;
    try {
      open();
    } catch (error) {
      if (!(error instanceof KilledError)) throw error;
      killed = true;
    }
    writes.dieAt = Number.POSITIVE_INFINITY;
    check();
    if (!killed) return dieAt - 1;
  }
}

describe('the --persist journals, killed while they rewrite their file on open', () => {
  it('keep every unfinished workflow execution, at whatever write the kill comes', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'journal-rewrite-'));
    dirs.push(dir);
    const { journal } = ExecutionJournal.open(dir);
    const execution = (name: string) => ({
      executionArn: `arn:aws:states:eu-west-1:000000000000:execution:payment-workflow:${name}`,
      stateMachineArn: 'arn:aws:states:eu-west-1:000000000000:stateMachine:payment-workflow',
      name,
      input: JSON.stringify({ orderId: name }),
      startDate: '2026-11-27T07:52:13.432Z',
    });
    for (const name of ['ord_waiting', 'ord_capturing', 'ord_done']) journal.started(execution(name));
    journal.entered(execution('ord_waiting').executionArn, { stateName: 'AwaitBankTransfer', input: '{}' });
    journal.entered(execution('ord_capturing').executionArn, { stateName: 'Capture', input: '{}' });
    journal.ended(execution('ord_done').executionArn, 'SUCCEEDED');

    const kills = killedAtEveryWrite(
      () => ExecutionJournal.open(dir),
      () => {
        const { unfinished } = ExecutionJournal.open(dir);
        expect(unfinished.map(({ name, resumeAt }) => [name, resumeAt?.stateName])).toEqual([
          ['ord_waiting', 'AwaitBankTransfer'],
          ['ord_capturing', 'Capture'],
        ]);
      },
    );
    expect(kills).toBeGreaterThan(0);
  });

  it('keep every event accepted and not delivered, at whatever write the kill comes', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'journal-rewrite-'));
    dirs.push(dir);
    const { journal } = EventDeliveryFile.open(dir);
    const event = (id: string) => ({
      version: '0' as const,
      id,
      'detail-type': 'ChargeFailed',
      source: 'serverless-commerce.payments',
      account: '000000000000',
      time: '2026-11-27T07:52:14Z',
      region: 'eu-west-1',
      resources: [],
      detail: { orderId: id },
    });
    journal.accepted([{ bus: 'shop-local', event: event('evt_pending') }]);
    journal.accepted([{ bus: 'shop-local', event: event('evt_delivered') }]);
    journal.delivered('evt_delivered');

    const kills = killedAtEveryWrite(
      () => EventDeliveryFile.open(dir),
      () => {
        const { undelivered } = EventDeliveryFile.open(dir);
        expect(undelivered.map(({ event }) => event.id)).toEqual(['evt_pending']);
      },
    );
    expect(kills).toBeGreaterThan(0);
  });
});
