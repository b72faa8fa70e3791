import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { copyRepository, type RepositoryCopy } from '@shop/testing/repository-copy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The event generator's acceptance test: in a copy of this repository (its own, apart from the
 * function generator's), add an event and a command, then run the checks that read every message:
 * the API documents', the contracts' lint, typecheck and tests, the workspace's (contract names,
 * boundaries).
 * Names go as `--name=…`: a literal that is only the name would be one the contract-names check
 * flags, once the event exists.
 */
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

let copy: RepositoryCopy;

const generate = (...options: string[]) => {
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
// Names no template user would pick, so that the test still passes beside an OrderShipped of theirs.
const probed = ['--name=ParcelProbed', '--publisher', 'orders'];

beforeAll(() => {
  copy = copyRepository(repositoryRoot, 'event-generator-copy');
  copy.linkWorkspaces();
}, 60_000);

afterAll(() => copy?.remove());

describe('the event generator, in a copy of the repository', () => {
  it('lists the contract it would change with --dry-run, and writes nothing', () => {
    const { status, output } = generate(...probed, '--dry-run');

    expect(status, output).toBe(0);
    expect(output).toContain('UPDATE libs/contracts/src/events.ts');
    expect(changedFiles()).toEqual([]);
  });

  it('adds an event that docs/api shows with its example, in documents that validate', () => {
    const { status, output } = generate(
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

    copy.run('npx', ['vitest', 'run', '--root', 'tools/docs-checks', 'test/api-documents.test.ts']);
  }, 300_000);

  it('adds a command; with the event, it passes the checks that read every message', () => {
    // A command's queue comes with its consumer (the function generator): docs/api waits until then.
    const { status, output } = generate(
      '--name=ProbeStock',
      '--kind',
      'command',
      '--sender',
      'orders',
      '--receiver',
      'invoices',
      '--fields',
      'orderId:id,fee:amount,currency:currency,parcels:int',
    );
    expect(status, output).toBe(0);
    expect(output).toContain(
      'ProbeStock v1 is a command from orders to invoices on the queue stock-requests',
    );

    copy.run('npx', [
      'nx',
      'run-many',
      '-t',
      'lint',
      'typecheck',
      'test',
      '--projects=@shop/contracts,@shop/workspace',
      '--skip-nx-cache',
      '--outputStyle=static',
    ]);
  }, 300_000);

  it('refuses a second run with the same name and changes nothing', () => {
    const before = copy.run('git', ['status', '--porcelain']);

    const { status, output } = generate(...probed);

    expect(status).not.toBe(0);
    expect(output).toContain(
      'ParcelProbed is already an event of libs/contracts/src/events.ts: pick another --name.',
    );
    expect(copy.run('git', ['status', '--porcelain'])).toBe(before);
  }, 60_000);
});
