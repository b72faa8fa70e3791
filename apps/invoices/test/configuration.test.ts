import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Handlers read their configuration at import time, so each test imports a fresh copy of them.
beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('INVOICES_TABLE_NAME', 'invoices');
  vi.stubEnv('EVENT_BUS_NAME', 'bus');
  vi.stubEnv('TAX_RATE_BASIS_POINTS', '2000');
});
afterEach(() => vi.unstubAllEnvs());

const configurationErrorNaming = (variable: string) => ({
  name: 'ConfigurationError',
  message: expect.stringContaining(variable),
});

describe('configuration read at cold start', () => {
  it.each([
    { variable: 'TAX_RATE_BASIS_POINTS', value: undefined },
    { variable: 'TAX_RATE_BASIS_POINTS', value: '' },
    { variable: 'TAX_RATE_BASIS_POINTS', value: 'abc' },
    { variable: 'TAX_RATE_BASIS_POINTS', value: '20001' },
    { variable: 'TAX_RATE_BASIS_POINTS', value: '-1' },
    { variable: 'TAX_RATE_BASIS_POINTS', value: '19.5' },
    { variable: 'EVENT_BUS_NAME', value: undefined },
    { variable: 'INVOICES_TABLE_NAME', value: undefined },
  ])('fails the import of issue-invoice when $variable is $value', async ({ variable, value }) => {
    vi.stubEnv(variable, value);
    await expect(import('../src/handlers/issue-invoice.ts')).rejects.toMatchObject(
      configurationErrorNaming(variable),
    );
  });

  it('loads issue-invoice when every variable it needs is set', async () => {
    const { handler } = await import('../src/handlers/issue-invoice.ts');
    expect(handler).toBeTypeOf('function');
  });

  it('loads get-invoice with the table name alone', async () => {
    vi.stubEnv('EVENT_BUS_NAME', undefined);
    vi.stubEnv('TAX_RATE_BASIS_POINTS', undefined);
    const { handler } = await import('../src/handlers/get-invoice.ts');
    expect(handler).toBeTypeOf('function');
  });

  it('fails the import of get-invoice when INVOICES_TABLE_NAME is missing', async () => {
    vi.stubEnv('INVOICES_TABLE_NAME', undefined);
    await expect(import('../src/handlers/get-invoice.ts')).rejects.toMatchObject(
      configurationErrorNaming('INVOICES_TABLE_NAME'),
    );
  });
});
