import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries, describeViolation } from '../src/boundaries.ts';
import { aFixtureWorkspace, type FixtureWorkspace } from './fixture-workspace.ts';

const workspaces: FixtureWorkspace[] = [];

afterEach(() => {
  for (const workspace of workspaces.splice(0)) workspace.remove();
});

/** The violations the workspace's rules find in the fixture workspace with `extraFiles` added. */
async function violationsWith(extraFiles: Record<string, string> = {}): Promise<string[]> {
  const workspace = aFixtureWorkspace(extraFiles);
  workspaces.push(workspace);
  const { violations } = await checkBoundaries(workspace.root, workspace.files);
  return violations.map(describeViolation).sort();
}

interface BrokenBoundary {
  name: string;
  file: string;
  imports: string;
  reported: string[];
}

const brokenBoundaries: BrokenBoundary[] = [
  {
    name: 'a domain file that imports the AWS SDK',
    file: 'apps/orders/src/domain/pricing.ts',
    imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
    reported: ['node_modules/@aws-sdk/client-dynamodb/index.js (domain-is-pure)'],
  },
  {
    name: 'a domain file that imports a Smithy type only',
    file: 'apps/orders/src/domain/pricing.ts',
    imports: "import type { Endpoint } from '@smithy/types';",
    reported: ['node_modules/@smithy/types/index.js (domain-is-pure)'],
  },
  {
    name: 'a domain file that imports an adapter through #adapters',
    file: 'apps/orders/src/domain/pricing.ts',
    imports: "import { save } from '#adapters/orders-store';",
    reported: ['apps/orders/src/adapters/orders-store.ts (domain-is-pure)'],
  },
  {
    name: 'a domain file that imports a handler',
    file: 'apps/orders/src/domain/pricing.ts',
    imports: "import { handler } from '../handlers/place-order.ts';",
    reported: ['apps/orders/src/handlers/place-order.ts (domain-is-pure)'],
  },
  {
    name: 'orders importing payments by package name',
    file: 'apps/orders/src/handlers/pay.ts',
    imports: "import { aPayment } from '@shop/payments/domain/payment';",
    reported: ['apps/payments/src/domain/payment.ts (services-are-independent)'],
  },
  {
    name: 'payments importing orders by path',
    file: 'apps/payments/src/handlers/refund.ts',
    imports: "import { anOrder } from '../../../orders/src/domain/order.ts';",
    reported: [
      'apps/orders/src/domain/order.ts (relative-imports-stay-in-package)',
      'apps/orders/src/domain/order.ts (services-are-independent)',
    ],
  },
  {
    name: 'a relative import across a package root',
    file: 'libs/testing/src/ids.ts',
    imports: "import { newId } from '../../shared/src/ids.ts';",
    reported: ['libs/shared/src/ids.ts (relative-imports-stay-in-package)'],
  },
  {
    name: "an import of a package's source outside its exports",
    file: 'tools/e2e/src/orders.ts',
    imports: "import { anOrder } from '@shop/orders/src/domain/order.ts';",
    reported: ['@shop/orders/src/domain/order.ts (imports-within-exports)'],
  },
  {
    name: "an import of a package's tests outside its exports",
    file: 'tools/e2e/src/orders.ts',
    imports: "import { handler } from '@shop/orders/test/place-order.test.ts';",
    reported: ['@shop/orders/test/place-order.test.ts (imports-within-exports)'],
  },
  {
    name: 'the engine importing a service',
    file: 'tools/local-cloud/src/handlers.ts',
    imports: "import { handler } from '@shop/orders/handlers/place-order';",
    reported: ['apps/orders/src/handlers/place-order.ts (engine-knows-no-app)'],
  },
  {
    name: 'the engine importing a service by path',
    file: 'tools/local-cloud/src/handlers.ts',
    imports: "import { handler } from '../../../apps/orders/src/handlers/place-order.ts';",
    reported: [
      'apps/orders/src/handlers/place-order.ts (engine-knows-no-app)',
      'apps/orders/src/handlers/place-order.ts (relative-imports-stay-in-package)',
    ],
  },
  {
    name: 'the engine importing the e2e harness',
    file: 'tools/local-cloud/src/handlers.ts',
    imports: "import { startEngine } from '@shop/e2e/start';",
    reported: ['tools/e2e/src/start.ts (engine-knows-no-app)'],
  },
  {
    name: "the engine importing this app's CDK code",
    file: 'tools/local-cloud/src/handlers.ts',
    imports: "import { app } from '@shop/infra/app';",
    reported: ['infra/src/app.ts (engine-knows-no-app)'],
  },
  {
    name: 'the bundled shared code importing test support',
    file: 'libs/shared/src/clock.ts',
    imports: "import { busEvent } from '@shop/testing/events';",
    reported: ['libs/testing/src/events.ts (shared-bundles-no-workspace-package)'],
  },
  {
    name: 'the bundled shared code importing a tool',
    file: 'libs/shared/src/clock.ts',
    imports: "import { startEngine } from '@shop/local-cloud/engine';",
    reported: ['tools/local-cloud/src/engine.ts (shared-bundles-no-workspace-package)'],
  },
  {
    name: 'the contracts importing shared code',
    file: 'libs/contracts/src/commands.ts',
    imports: "import { newId } from '@shop/shared/ids';",
    reported: ['libs/shared/src/ids.ts (contracts-stand-alone)'],
  },
  {
    name: 'the contracts importing an npm package other than zod',
    file: 'libs/contracts/src/commands.ts',
    imports: "import { ulid } from 'ulid';",
    reported: ['node_modules/ulid/index.js (contracts-stand-alone)'],
  },
];

describe('the boundary rules', () => {
  it('allow the imports the workspace is built on', async () => {
    expect(await violationsWith()).toEqual([]);
  });

  it('report two modules that import each other at run time, and not a cycle of type imports', async () => {
    const violations = await violationsWith({
      'apps/orders/src/domain/tax.ts': "import { vatOf } from './vat.ts';\n\nexport const taxOf = vatOf;\n",
      'apps/orders/src/domain/vat.ts':
        "import { taxOf } from './tax.ts';\n\nexport const vatOf = () => taxOf;\n",
      'apps/orders/src/domain/fee.ts': "import type { Rate } from './rate.ts';\n\nexport type Fee = Rate;\n",
      'apps/orders/src/domain/rate.ts':
        "import type { Fee } from './fee.ts';\n\nexport type Rate = Fee | number;\n",
    });
    // One violation per cycle, named from the module the cruise reached first.
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(
      /^apps\/orders\/src\/domain\/(tax|vat)\.ts → apps\/orders\/src\/domain\/(vat|tax)\.ts \(no-runtime-cycles\)$/,
    );
  });

  it.each(brokenBoundaries)('report $name', async ({ file, imports, reported }) => {
    const violations = await violationsWith({ [file]: `${imports}\n` });
    expect(violations).toEqual(reported.map((violation) => `${file} → ${violation}`));
  });
});
