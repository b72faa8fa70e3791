import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lambdaContext } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import { aPayment } from './builders.ts';
import { createPaymentsTable } from './payments-table.ts';

/**
 * The workflow retries and catches on error names, so they must survive minification. This runs the
 * built bundle (`npm run build`, which nx runs before the tests), not the TypeScript source.
 */
const bundle = fileURLToPath(new URL('../dist/authorize/index.mjs', import.meta.url));
if (!existsSync(bundle))
  throw new Error(`${bundle} is missing: run the build first (npx nx run-many -t build)`);

const table = await createPaymentsTable();
const { handler: authorize } = await import(bundle);
const input = (orderId: string, token: string) => ({
  orderId,
  amount: 100,
  currency: 'EUR',
  token,
  correlationId: 'c',
});

describe('the built authorize bundle', () => {
  it('throws errors under the names the payment workflow matches on', async () => {
    const declined = await table.seed(aPayment());
    await expect(authorize(input(declined.orderId, 'tok_declined'), lambdaContext())).rejects.toMatchObject({
      name: 'CardDeclinedError',
    });
    const outage = await table.seed(aPayment());
    await expect(authorize(input(outage.orderId, 'tok_outage'), lambdaContext())).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
    });
    await expect(authorize({ orderId: 'x' }, lambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
