import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { EVENTS } from '@shop/contracts/events';
import { copyRepository, type RepositoryCopy } from '@shop/testing/repository-copy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The generators' acceptance test: in one copy of this repository, add an event (the event
 * generator), then a service and one function of each trigger (a command for the SQS one), then run
 * the checks of every project the generators wrote to or whose checks list every function or
 * message, and reach the generated code on the copy's local cloud.
 *
 * The copy runs lint and typecheck of those projects whole, the tests the generators wrote, and the
 * tests that list functions, routes, stacks or messages: the contracts', infra's (synth with cdk-nag,
 * roles, counts, stages), the bench scenarios, the workspace checks (boundaries, contract names) and
 * the generated documents. The services' other tests run on this repository itself, and the
 * generators change none of their files. Message names go as `--name=…`: a literal that is only the
 * name would be one the contract-names check flags, once the message exists.
 */
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
const ORDER_ID = 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T';

// The generated names are ones no template user would pick, so that the test still passes in a
// repository that has, say, a ship-order of its own.
let copy: RepositoryCopy;

const generate = (...options: string[]) =>
  copy.run('npx', ['nx', 'g', '@shop/generators:function', ...options, '--no-interactive']);
const generateMessage = (...options: string[]) => {
  const { status, output } = copy.attempt('npx', [
    'nx',
    'g',
    '@shop/generators:event',
    ...options,
    '--no-interactive',
  ]);
  return { status, output: stripVTControlCharacters(output) };
};
/** The files changed in the copy since it was made (the copy's files are staged, never committed). */
const changedFiles = () => copy.run('git', ['diff', '--name-only']).split('\n').filter(Boolean).sort();
const probed = ['--name=ParcelProbed', '--publisher', 'orders'];

beforeAll(() => {
  copy = copyRepository(repositoryRoot, 'generator-copy');
  copy.linkWorkspaces();
}, 60_000);

afterAll(() => copy?.remove());

// The files run in order: the event generator's checks count the files it changed, in a copy that
// nothing else has changed yet.
describe('the event generator, in a copy of the repository', () => {
  it('lists the contract it would change with --dry-run, and writes nothing', () => {
    const { status, output } = generateMessage(...probed, '--dry-run');

    expect(status, output).toBe(0);
    expect(output).toContain('UPDATE libs/contracts/src/events.ts');
    expect(changedFiles()).toEqual([]);
  });

  it('adds an event that docs/api shows with its example (validated with the others below)', () => {
    const { status, output } = generateMessage(
      ...probed,
      '--fields',
      'orderId:id,shippedAt:timestamp,carrier:string',
    );
    expect(status, output).toBe(0);
    expect(output).toContain('ParcelProbed v1 is an event of orders');
    expect(changedFiles()).toEqual([
      'docs/api/README.md',
      'docs/api/asyncapi.yaml',
      'libs/contracts/src/events.ts',
    ]);
    expect(readFileSync(join(copy.root, 'docs/api/asyncapi.yaml'), 'utf8')).toContain(
      'name: ParcelProbedExample',
    );
  }, 120_000);
});

describe('the function and service generators, in the same copy', () => {
  it('write a service and functions of every trigger that pass the checks of every project they touch', () => {
    // Several in a row, as a team would: the derived documents are regenerated once, by the last.
    const skipDocs = '--regenerate=false';
    // A service first; npm install would write through the copy's links into this checkout's
    // node_modules, so the copy links the new package itself.
    copy.run('npx', [
      'nx',
      'g',
      '@shop/generators:service',
      '--name',
      'probes',
      '--description',
      'Keeps the probes of the generators test',
      '--install=false',
      skipDocs,
      '--no-interactive',
    ]);
    copy.linkWorkspaces();
    generate('--service', 'invoices', '--name', 'probe-invoice', '--trigger', 'http', skipDocs);
    generate(
      '--service',
      'invoices',
      '--name',
      'tally-invoices',
      '--trigger',
      'event',
      '--event',
      EVENTS.InvoiceIssued.type,
      skipDocs,
    );
    const command = generateMessage(
      '--name=ProbeParcel',
      '--queue=probe-parcels',
      '--kind=command',
      '--sender=invoices',
      '--receiver=payments',
      '--fields',
      'orderId:id,fee:amount,currency:currency,parcels:int',
    );
    expect(command.status, command.output).toBe(0);
    expect(command.output).toContain(
      'ProbeParcel v1 is a command from invoices to payments on the queue probe-parcels',
    );
    generate(
      '--service',
      'payments',
      '--name',
      'probe-parcel',
      '--trigger',
      'sqs',
      '--command=ProbeParcel',
      skipDocs,
    );
    generate(
      '--service',
      'payments',
      '--name',
      'sweep-probes',
      '--trigger',
      'schedule',
      '--schedule',
      'rate(1 hour)',
      skipDocs,
    );
    const output = generate('--service', 'orders', '--name', 'probe-order', '--trigger', 'http');
    expect(output).toContain('`POST /orders/{orderId}/probe` now invokes orders:probe-order');

    copy.run('npx', [
      'nx',
      'run-many',
      '-t',
      'lint',
      'typecheck',
      '--projects=@shop/probes,@shop/orders,@shop/invoices,@shop/payments,@shop/contracts,@shop/infra,@shop/bench',
      '--skip-nx-cache',
      '--outputStyle=static',
    ]);
    const generatedTests = [
      ['apps/orders', 'probe-order'],
      ['apps/probes', 'get-probe'],
      ['apps/invoices', 'probe-invoice'],
      ['apps/invoices', 'tally-invoices'],
      ['apps/payments', 'sweep-probes'],
      ['apps/payments', 'probe-parcel'],
    ];
    for (const [project, name] of generatedTests) {
      copy.run('npx', ['vitest', 'run', '--root', project as string, `test/${name}`]);
      const report = JSON.parse(
        readFileSync(join(copy.root, project as string, 'reports/vitest.json'), 'utf8'),
      ) as {
        numPassedTests: number;
        numFailedTests: number;
        testResults: { name: string }[];
      };
      // Both generated files ran (the use case's and the handler's), and every test in them passed.
      expect(report.testResults.map((file) => file.name.split('/').at(-1)).sort(), name).toEqual([
        `${name}-handler.test.ts`,
        `${name}.test.ts`,
      ]);
      expect(report.numFailedTests, name).toBe(0);
      expect(report.numPassedTests, name).toBeGreaterThan(1);
    }
    copy.run('npx', [
      'nx',
      'run-many',
      '-t',
      'test',
      '--projects=@shop/contracts,@shop/infra,@shop/workspace',
      '--skip-nx-cache',
      '--outputStyle=static',
    ]);
    // Every function has a bench event. The bundle budgets are checked where the functions are
    // generated for real: their floors are built from node_modules, which here are links into this
    // checkout that esbuild resolves nothing through (every floor came out at 370 bytes).
    copy.run('npx', ['vitest', 'run', '--root', 'tools/bench', 'test/scenarios.test.ts']);
    copy.run('npx', [
      'vitest',
      'run',
      '--root',
      'tools/docs-checks',
      'test/api-documents.test.ts',
      'test/templates.test.ts',
    ]);
  }, 900_000);

  it('runs on the local cloud: the routes behind the customers’ authorizer, the consumer on its event, the schedule', async () => {
    const cloud = spawn(process.execPath, ['tools/e2e/src/start.ts', '--port', '0', '--json'], {
      cwd: copy.root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const printed = outputOf(cloud);
      const url = await printed.match(/running locally[\s\S]*?(http:\/\/127\.0\.0\.1:\d+)/);
      const probe = (headers: Record<string, string> = {}) =>
        fetch(`${url}/orders/${ORDER_ID}/probe`, { method: 'POST', headers });

      expect((await probe()).status).toBe(401);

      const token = copy.run(process.execPath, ['tools/e2e/src/token-cli.ts', 'alice', '--url', url]).trim();
      const authorization = `Bearer ${token}`;
      const probed = await probe({ authorization });
      expect(probed.status).toBe(202);
      expect(await probed.json()).toEqual({ orderId: ORDER_ID });
      const probe1 = await fetch(`${url}/probes/prb_1`, { headers: { authorization } });
      expect(probe1.status).toBe(200);
      expect(await probe1.json()).toEqual({ probeId: 'prb_1' });
      const probedInvoice = await fetch(`${url}/invoices/inv_1/probe`, {
        method: 'POST',
        headers: { authorization },
      });
      expect(probedInvoice.status).toBe(202);

      // A paid order is invoiced, and its InvoiceIssued reaches the generated consumer.
      const placed = await fetch(`${url}/orders`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({
          currency: 'EUR',
          items: [{ sku: 'BOOK-1', quantity: 1, unitPrice: 1250 }],
          payment: { method: 'card', token: 'tok_visa' },
        }),
      });
      expect(placed.status).toBe(202);
      await printed.match(
        /"message":"Event handled"[^\n]*tally-invoices|tally-invoices[^\n]*"message":"Event handled"/,
      );

      // The schedule, run now rather than in an hour: the generated function completes its run.
      const { schedules } = (await (await fetch(`${url}/_local/schedules`)).json()) as {
        schedules: { name: string }[];
      };
      const schedule = schedules.find(({ name }) => name.endsWith('-sweep-probes-schedule'));
      expect(schedule, JSON.stringify(schedules)).toBeDefined();
      const run = await fetch(`${url}/_local/schedules/${schedule?.name}/run`, { method: 'POST' });
      expect(run.status).toBe(202);
      await printed.match(
        /"message":"Scheduled run done"[^\n]*sweep-probes|sweep-probes[^\n]*"message":"Scheduled run done"/,
      );
    } finally {
      cloud.kill('SIGINT');
      await once(cloud, 'exit');
    }
  }, 180_000);

  it('refuses a second run of any of them with the same name, and changes nothing', () => {
    const before = copy.run('git', ['status', '--porcelain']);

    const message = generateMessage(...probed);
    expect(message.status).not.toBe(0);
    expect(message.output).toContain(
      'ParcelProbed is already an event of libs/contracts/src/events.ts: pick another --name.',
    );

    const { status, output } = copy.attempt('npx', [
      'nx',
      'g',
      '@shop/generators:function',
      '--service',
      'orders',
      '--name',
      'probe-order',
      '--no-interactive',
    ]);

    expect(status).not.toBe(0);
    expect(output).toContain(
      'apps/orders/src/handlers/probe-order.ts exists: orders already has a function probe-order.',
    );
    const again = copy.attempt('npx', [
      'nx',
      'g',
      '@shop/generators:service',
      '--name',
      'probes',
      '--description',
      'Keeps the probes again',
      '--no-interactive',
    ]);
    expect(again.status).not.toBe(0);
    expect(again.output).toContain('apps/probes exists: there is a service probes already.');
    expect(copy.run('git', ['status', '--porcelain'])).toBe(before);
  }, 60_000);
});

/**
 * What a child process prints, read to the end (so that it never blocks on a full pipe), and a
 * wait for the first match of a pattern in it; the match's first group, or all of it.
 */
function outputOf(child: ChildProcessByStdio<null, Readable, Readable>) {
  let printed = '';
  const waiting = new Set<() => void>();
  const onChunk = (chunk: unknown) => {
    printed += String(chunk);
    for (const check of waiting) check();
  };
  child.stdout.on('data', onChunk);
  child.stderr.on('data', onChunk);
  return {
    match(pattern: RegExp): Promise<string> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = pattern.exec(printed);
          if (found) {
            waiting.delete(check);
            resolve(found[1] ?? found[0]);
          }
        };
        child.once('exit', () =>
          reject(new Error(`The local cloud stopped before printing ${pattern}:\n${printed}`)),
        );
        waiting.add(check);
        check();
      });
    },
  };
}
