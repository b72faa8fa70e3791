import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/**
 * A small copy of this workspace's shape, written to a temporary folder: packages with the same
 * exports and #imports as the real ones, linked under node_modules/@shop as npm workspaces link
 * them, stand-ins for the npm packages the rules name, and one file per kind of import the boundary rules allow.
 */
const packages: Record<string, object> = {
  'apps/orders': {
    name: '@shop/orders',
    exports: {
      './handlers/*': './src/handlers/*.ts',
      './domain/*': './src/domain/*.ts',
      './testing/in-memory-orders-store': './test/in-memory-orders-store.ts',
    },
    imports: { '#adapters/*': './src/adapters/*.ts' },
  },
  'apps/payments': {
    name: '@shop/payments',
    exports: { './handlers/*': './src/handlers/*.ts', './domain/*': './src/domain/*.ts' },
    imports: { '#adapters/*': './src/adapters/*.ts' },
  },
  'libs/contracts': { name: '@shop/contracts', exports: { './*': './src/*.ts' } },
  'libs/shared': { name: '@shop/shared', exports: { './*': './src/*.ts' } },
  'libs/testing': { name: '@shop/testing', exports: { './*': './src/*.ts' } },
  'tools/local-cloud': { name: '@shop/local-cloud', exports: { './*': './src/*.ts' } },
  'tools/e2e': { name: '@shop/e2e', exports: { './*': './src/*.ts' } },
  infra: { name: '@shop/infra', exports: { './*': './src/*.ts' } },
};

const allowedImports: Record<string, string> = {
  'vitest.shared.ts': 'export const sharedTestConfig = {};\n',
  'apps/orders/vitest.config.ts':
    "import { sharedTestConfig } from '../../vitest.shared.ts';\n\nexport default sharedTestConfig;\n",
  'apps/orders/src/domain/money.ts': 'export type Money = number;\n',
  'apps/orders/src/domain/order.ts':
    "import { newId } from '@shop/shared/ids';\nimport type { Money } from './money.ts';\n\n" +
    'export const anOrder = (total: Money) => ({ id: newId(), total });\n',
  'apps/orders/src/adapters/orders-store.ts':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport type { anOrder } from '../domain/order.ts';\n\n" +
    'export const save = (order: ReturnType<typeof anOrder>) => new DynamoDBClient().send(order);\n',
  'apps/orders/src/handlers/place-order.ts':
    "import { save } from '#adapters/orders-store';\nimport { anOrder } from '../domain/order.ts';\n\n" +
    'export const handler = () => save(anOrder(1));\n',
  'apps/orders/test/in-memory-orders-store.ts': 'export const inMemoryOrdersStore = new Map();\n',
  'apps/orders/test/place-order.test.ts':
    "import { busEvent } from '@shop/testing/events';\nimport { handler } from '../src/handlers/place-order.ts';\n\n" +
    'handler(busEvent);\n',
  'apps/payments/src/domain/payment.ts':
    "import { newId } from '@shop/shared/ids';\n\nexport const aPayment = () => ({ id: newId() });\n",
  'libs/contracts/src/zod.ts': "export * from 'zod/mini';\n",
  'libs/contracts/src/events.ts':
    "import * as z from './zod.ts';\n\nexport const EVENTS = { OrderPlaced: z.object({}) };\n",
  'libs/shared/src/ids.ts':
    "import { randomUUID } from 'node:crypto';\n\nexport const newId = () => randomUUID();\n",
  'libs/shared/src/messages.ts':
    "import { EVENTS } from '@shop/contracts/events';\n\nexport const eventTypes = Object.keys(EVENTS);\n",
  'libs/shared/test/ids.test.ts':
    "import { busEvent } from '@shop/testing/events';\nimport { newId } from '../src/ids.ts';\n\nnewId(busEvent);\n",
  'libs/testing/src/events.ts':
    "import { newId } from '@shop/shared/ids';\n\nexport const busEvent = { id: newId() };\n",
  'tools/local-cloud/src/engine.ts':
    "import { newId } from '@shop/shared/ids';\n\nexport const startEngine = () => newId();\n",
  'tools/e2e/src/start.ts':
    "import { startEngine } from '@shop/local-cloud/engine';\nimport { handler } from '@shop/orders/handlers/place-order';\n\n" +
    'startEngine(handler);\n',
  'tools/e2e/src/orders-store.ts':
    "import { inMemoryOrdersStore } from '@shop/orders/testing/in-memory-orders-store';\n\n" +
    'export const ordersStore = inMemoryOrdersStore;\n',
  'infra/src/app.ts':
    "import { handler } from '@shop/orders/handlers/place-order';\n\nexport const app = handler;\n",
};

const npmStandIns = ['@aws-sdk/client-dynamodb', '@smithy/types', 'zod/mini', 'ulid'];

export interface FixtureWorkspace {
  root: string;
  /** Every source file written, relative to the root. */
  files: string[];
  remove(): void;
}

/** Writes the workspace with `extraFiles` (path relative to the root → content) added. */
export function aFixtureWorkspace(extraFiles: Record<string, string> = {}): FixtureWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  for (const [folder, manifest] of Object.entries(packages)) {
    write(`${folder}/package.json`, JSON.stringify({ version: '0.1.0', type: 'module', ...manifest }));
    const link = join(root, 'node_modules', (manifest as { name: string }).name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), join(root, folder)), link);
  }
  for (const specifier of npmStandIns) {
    const [name = specifier, subpath] = specifier.startsWith('@') ? [specifier] : specifier.split('/');
    const entry = subpath ? `./${subpath}.js` : './index.js';
    write(
      `node_modules/${name}/package.json`,
      JSON.stringify({ name, exports: { [subpath ? `./${subpath}` : '.']: entry } }),
    );
    write(`node_modules/${name}/${entry.slice(2)}`, 'export {};\n');
  }
  const sources = { ...allowedImports, ...extraFiles };
  for (const [file, content] of Object.entries(sources)) write(file, content);
  return { root, files: Object.keys(sources), remove: () => rmSync(root, { recursive: true, force: true }) };
}
