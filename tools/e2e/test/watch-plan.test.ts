import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Bundle, planChanges, readBundles } from '../src/watch/change-plan.ts';
import { functionsByBundle } from '../src/watch/function-bundles.ts';
import { wiringOf } from '../src/watch/wiring.ts';

/**
 * What npm start's watcher does with a saved file, in a repository of its own: which bundles it
 * rebuilds (those whose build read the file), when it synthesizes again (a file synth reads), which
 * functions run a rebuilt bundle, and when a new assembly needs a restart (its wiring changed, not
 * only its code).
 */
let root: string;
const at = (path: string) => join(root, path);
const write = (path: string, text: string) => {
  mkdirSync(dirname(at(path)), { recursive: true });
  writeFileSync(at(path), text);
};
const metafile = (outputs: Record<string, string[]>) =>
  JSON.stringify({
    outputs: Object.fromEntries(
      Object.entries(outputs).flatMap(([handler, inputs]) => [
        [`dist/${handler}/index.mjs`, { inputs: Object.fromEntries(inputs.map((input) => [input, {}])) }],
        [`dist/${handler}/index.mjs.map`, { inputs: {} }],
      ]),
    ),
  });

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'watch-plan-'));
  write(
    'apps/shop/dist/meta.json',
    metafile({
      'take-order': [
        'builtin-require:node:http',
        'src/handlers/take-order.ts',
        'src/domain/order.ts',
        '../../libs/common/src/http.ts',
        '../../libs/contracts/src/events.ts',
        '../../node_modules/some-sdk/index.js',
      ],
      'read-order': ['src/handlers/read-order.ts', 'src/domain/order.ts', '../../libs/common/src/http.ts'],
    }),
  );
  write(
    'apps/billing/dist/meta.json',
    metafile({ 'send-bill': ['src/handlers/send-bill.ts', '../../libs/common/src/http.ts'] }),
  );
  write('apps/shop/dist/take-order/index.mjs', 'export const handler = () => "take";');
  write('apps/shop/dist/take-order/index.mjs.map', '{"sources":["apps/shop/src/handlers/take-order.ts"]}');
  write('apps/shop/dist/read-order/index.mjs', 'export const handler = () => "read";');
  write('apps/billing/dist/send-bill/index.mjs', 'export const handler = () => "bill";');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const names = (bundles: readonly Bundle[]) =>
  bundles.map((bundle) => `${bundle.service}/${bundle.handler}`).sort();
const plan = (...files: string[]) =>
  planChanges(
    files.map((file) => at(file)),
    readBundles(root),
    root,
  );

describe("npm start's watcher", () => {
  it('reads which files each bundle was built from, leaving out the virtual modules', () => {
    const bundles = readBundles(root);

    expect(names(bundles)).toEqual(['billing/send-bill', 'shop/read-order', 'shop/take-order']);
    const takeOrder = bundles.find((bundle) => bundle.handler === 'take-order');
    expect([...(takeOrder?.inputs ?? [])].sort()).toEqual(
      [
        'apps/shop/src/domain/order.ts',
        'apps/shop/src/handlers/take-order.ts',
        'libs/common/src/http.ts',
        'libs/contracts/src/events.ts',
        'node_modules/some-sdk/index.js',
      ].map(at),
    );
  });

  it("rebuilds only the bundles that read a saved handler's or domain's file", () => {
    expect(names(plan('apps/shop/src/handlers/read-order.ts').rebuild)).toEqual(['shop/read-order']);
    expect(names(plan('apps/shop/src/domain/order.ts').rebuild)).toEqual([
      'shop/read-order',
      'shop/take-order',
    ]);
    expect(plan('apps/shop/src/domain/order.ts').resynth).toBe(false);
  });

  it("rebuilds every service's bundle that reads a saved library file, each once", () => {
    const changed = plan('libs/common/src/http.ts', 'apps/shop/src/domain/order.ts');

    expect(names(changed.rebuild)).toEqual(['billing/send-bill', 'shop/read-order', 'shop/take-order']);
  });

  it('synthesizes again for a file synth reads, and also rebuilds the bundles that read a contract', () => {
    expect(plan('infra/src/stack.ts')).toEqual({ rebuild: [], resynth: true, unused: [] });
    expect(plan('infra/cdk.json').resynth).toBe(true);
    const contract = plan('libs/contracts/src/events.ts');
    expect(contract.resynth).toBe(true);
    expect(names(contract.rebuild)).toEqual(['shop/take-order']);
  });

  it('does nothing for a file no bundle reads and synth does not, and says which', () => {
    const files = [
      'apps/shop/src/domain/ports.ts',
      'infra/test/stack.test.ts',
      'apps/shop/src/handlers/new-one.ts',
    ];

    expect(plan(...files)).toEqual({ rebuild: [], resynth: false, unused: files.map(at) });
  });

  it("finds the functions that run a bundle by its content, the assembly's copy against the build's", () => {
    write('cdk.out/asset.1/index.mjs', 'export const handler = () => "take";');
    write('cdk.out/asset.1/index.mjs.map', '{"sources":["apps/shop/src/handlers/take-order.ts"]}');
    write('cdk.out/asset.2/index.mjs', 'export const handler = () => "bill";');
    write('cdk.out/asset.3/index.js', 'exports.handler = () => "a custom resource";');

    const functionsOf = functionsByBundle(
      [
        { name: 'take-order-fn', handlerFile: at('cdk.out/asset.1/index.mjs') },
        { name: 'take-order-again-fn', handlerFile: at('cdk.out/asset.1/index.mjs') },
        { name: 'send-bill-fn', handlerFile: at('cdk.out/asset.2/index.mjs') },
        { name: 'provider-fn', handlerFile: at('cdk.out/asset.3/index.js') },
      ],
      readBundles(root),
    );

    expect(Object.fromEntries(functionsOf)).toEqual({
      'shop/take-order': ['take-order-fn', 'take-order-again-fn'],
      'billing/send-bill': ['send-bill-fn'],
    });
  });
});

describe('the wiring of an assembly', () => {
  const assembly = (folder: string, resources: Record<string, unknown>) => {
    write(
      `${folder}/manifest.json`,
      JSON.stringify({
        artifacts: {
          Shop: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Shop.template.json' } },
        },
      }),
    );
    write(`${folder}/Shop.template.json`, JSON.stringify({ Resources: resources }));
    return at(folder);
  };
  const fn = (asset: string, memory: number) => ({
    Type: 'AWS::Lambda::Function',
    Properties: { Code: { S3Key: `${asset}.zip` }, MemorySize: memory, Handler: 'index.handler' },
    Metadata: { 'aws:asset:path': `asset.${asset}` },
  });
  const cdkMetadata = (analytics: string) => ({
    Type: 'AWS::CDK::Metadata',
    Properties: { Analytics: analytics },
  });

  it('is the same when only the code moved, and differs when a resource did', () => {
    const before = assembly('before', { TakeOrder: fn('aaa', 512), CDKMetadata: cdkMetadata('v2:1') });
    const newCode = assembly('new-code', { TakeOrder: fn('bbb', 512), CDKMetadata: cdkMetadata('v2:2') });
    const newMemory = assembly('new-memory', {
      TakeOrder: fn('aaa', 1024),
      CDKMetadata: cdkMetadata('v2:1'),
    });
    const newQueue = assembly('new-queue', {
      TakeOrder: fn('aaa', 512),
      Orders: { Type: 'AWS::SQS::Queue', Properties: {} },
      CDKMetadata: cdkMetadata('v2:1'),
    });

    expect(wiringOf(newCode)).toBe(wiringOf(before));
    expect(wiringOf(newMemory)).not.toBe(wiringOf(before));
    expect(wiringOf(newQueue)).not.toBe(wiringOf(before));
  });
});
