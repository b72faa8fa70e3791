import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleBreaches, readBudgets } from '../src/budgets.ts';
import { buildFloor, floorSource, listFunctions, productionReport } from '../src/bundles.ts';

/**
 * The deterministic half of `npm run bench -- --check`, run by CI (npm test) on the bundles the
 * build target just wrote: sizes only, never a timing.
 */
const budgets = readBudgets();
const functions = listFunctions();

describe('the function bundles', () => {
  it('are found for every handler of every app', () => {
    expect(functions.map((fn) => fn.handler)).toEqual(
      expect.arrayContaining(['place-order', 'authorize', 'issue-invoice']),
    );
  });

  it('stay within the size budgets of bench/budgets.json, absolute and against their floor', async () => {
    const sized = [];
    for (const fn of functions) {
      const ours = productionReport(fn);
      const floor = await buildFloor(fn, ours.thirdParty);
      sized.push({ name: fn.handler, bytes: { ours: ours.bytes, floor: floor.report.bytes } });
    }
    expect(bundleBreaches(sized, budgets)).toEqual([]);
  });

  it('load Node built-ins through require(), never import(): an import builds the module facade, and the one of node:http loads undici', () => {
    for (const fn of functions) {
      const source = readFileSync(fn.bundle, 'utf8');
      // The banner's own `import { createRequire } from 'node:module'` is what defines require.
      const imports = [
        ...source.matchAll(/\bfrom\s*["']((?:node:)?[a-z_/]+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ]
        .map((match) => match[1] ?? match[2])
        .filter((specifier) => specifier !== 'node:module');
      expect(imports, fn.handler).toEqual([]);
    }
  });
});

describe('the floor of a function', () => {
  it('constructs each client and utility the bundle uses and sends only the calls it is given', () => {
    const source = floorSource({
      sdkClients: { '@aws-sdk/client-sqs': ['SendMessage'] },
      documentCommands: [],
      powertools: ['logger'],
      libraries: [],
    });
    expect(source).toContain("import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';");
    expect(source).toContain('new SQSClient(');
    expect(source).toContain("'AmazonSQS.SendMessage': (input) =>");
    expect(source).toContain('new Logger()');
    expect(source).not.toContain('Metrics');
  });
});

describe('the floor of confirm-bank-transfer', () => {
  it('holds what its bundle uses besides the SDK calls: the Secrets Manager client, Parameters and standardwebhooks', () => {
    const confirm = functions.find((fn) => fn.handler === 'confirm-bank-transfer');
    if (!confirm) throw new Error('No confirm-bank-transfer function');
    const { thirdParty } = productionReport(confirm);
    expect(thirdParty.sdkClients).toMatchObject({ '@aws-sdk/client-secrets-manager': ['GetSecretValue'] });
    expect(thirdParty.powertools).toContain('parameters');
    expect(thirdParty.libraries).toEqual(['standardwebhooks']);
    const source = floorSource(thirdParty);
    expect(source).toContain('new SecretsProvider({ awsSdkV3Client: secretsManagerClient })');
    expect(source).toContain(
      "'secretsmanager.GetSecretValue': (input) => secretsProvider.get(input.SecretId",
    );
    expect(source).toContain("webhook.sign('msg_floor'");
  });
});

describe('the budget check', () => {
  it('names every bundle over the absolute budget or over its ratio to the floor', () => {
    const breaches = bundleBreaches(
      [
        { name: 'small', bytes: { ours: 100, floor: 100 } },
        { name: 'heavy', bytes: { ours: budgets.bundle.maxBytes + 1, floor: budgets.bundle.maxBytes } },
        { name: 'bloated', bytes: { ours: 200, floor: 100 } },
      ],
      budgets,
    );
    expect(breaches).toHaveLength(2);
    expect(breaches[0]).toMatch(/^heavy: bundle is \d+ bytes, over/);
    expect(breaches[1]).toMatch(/^bloated: bundle is 2\.00 × its floor/);
  });
});
