import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SynthInputs, synthInputsHash } from '../src/synth-inputs.ts';

/**
 * The hash `npm start` keeps beside the synthesized local stage: it changes with what synth reads
 * (infra, a bundle, the contracts, the arguments, the tools' versions), and only with that.
 */
let root: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const inputs = (overrides: Partial<SynthInputs> = {}): SynthInputs => ({
  repositoryRoot: root,
  synthArguments: ['-c', 'stage=local'],
  versions: { node: 'v24.0.0', 'aws-cdk-lib': '2.200.0' },
  ...overrides,
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'synth-inputs-'));
  write('infra/cdk.json', '{"app":"node bin/app.ts"}');
  write('infra/bin/app.ts', 'app();');
  write('infra/src/stack.ts', 'stack();');
  write('libs/contracts/src/events.ts', 'export const EVENTS = {};');
  write('apps/shop/dist/take-order/index.mjs', 'export const handler = () => 1;');
  write('apps/shop/dist/take-order/index.mjs.map', '{}');
  write('apps/shop/dist/meta.json', '{"inputs":{}}');
  write('apps/shop/src/handlers/take-order.ts', 'export const handler = () => 1;');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the synthesis inputs hash', () => {
  it('is the same for the same inputs, whatever else changed in the repository', () => {
    const before = synthInputsHash(inputs());
    write('apps/shop/src/handlers/take-order.ts', 'export const handler = () => 2;');
    write('apps/shop/dist/meta.json', '{"inputs":{"changed":true}}');
    write('infra/test/stack.test.ts', 'test();');
    write('libs/contracts/src/events.test.ts', 'test();');
    write('README.md', '# changed');

    expect(synthInputsHash(inputs())).toBe(before);
  });

  it('changes when a bundle changes, or a bundle is added', () => {
    const before = synthInputsHash(inputs());
    write('apps/shop/dist/take-order/index.mjs', 'export const handler = () => 2;');
    const changed = synthInputsHash(inputs());
    write('apps/shop/dist/ship-order/index.mjs', 'export const handler = () => 3;');

    expect(changed).not.toBe(before);
    expect(synthInputsHash(inputs())).not.toBe(changed);
  });

  it('changes with the CDK app, its settings and the contracts it imports', () => {
    const hashes = [synthInputsHash(inputs())];
    for (const [path, text] of [
      ['infra/src/stack.ts', 'stack({ retries: 2 });'],
      ['infra/src/constructs/queue.ts', 'queue();'],
      ['infra/cdk.json', '{"app":"node bin/app.ts","context":{}}'],
      ['infra/bin/app.ts', 'app({ stage: true });'],
      ['libs/contracts/src/events.ts', 'export const EVENTS = { X: {} };'],
    ] as const) {
      write(path, text);
      hashes.push(synthInputsHash(inputs()));
    }

    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('changes with the synth arguments and the versions of Node and the CDK', () => {
    const hashes = [
      synthInputsHash(inputs()),
      synthInputsHash(inputs({ synthArguments: ['-c', 'stage=dev'] })),
      synthInputsHash(inputs({ versions: { node: 'v24.1.0', 'aws-cdk-lib': '2.200.0' } })),
      synthInputsHash(inputs({ versions: { node: 'v24.0.0', 'aws-cdk-lib': '2.201.0' } })),
    ];

    expect(new Set(hashes).size).toBe(hashes.length);
  });
});
