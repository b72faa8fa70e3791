import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** The environment variables each handler reads at cold start: exactly those of its adapters. */
const VARIABLES_BY_HANDLER = {
  'start-payment': ['PAYMENT_WORKFLOW_ARN'],
  authorize: ['PAYMENTS_TABLE_NAME'],
  capture: [],
  refund: [],
  'await-bank-transfer': ['PAYMENTS_TABLE_NAME'],
  'confirm-bank-transfer': ['PAYMENTS_TABLE_NAME', 'BANK_WEBHOOK_SECRET_ARN'],
  'cancel-payment': ['PAYMENTS_TABLE_NAME', 'EVENT_BUS_NAME'],
} as const;
const ALL_VARIABLES = [
  'PAYMENTS_TABLE_NAME',
  'PAYMENT_WORKFLOW_ARN',
  'EVENT_BUS_NAME',
  'BANK_WEBHOOK_SECRET_ARN',
];
const cases = Object.entries(VARIABLES_BY_HANDLER).map(([handler, variables]) => ({ handler, variables }));

// Handlers read their configuration at import time, so each test imports a fresh copy.
beforeEach(() => {
  vi.resetModules();
  for (const variable of ALL_VARIABLES) vi.stubEnv(variable, undefined);
});
afterEach(() => vi.unstubAllEnvs());

const importHandler = (handler: string) => import(`../src/handlers/${handler}.ts`);

describe('configuration read at cold start', () => {
  it.each(cases)('loads $handler with only $variables set', async ({ handler, variables }) => {
    for (const variable of variables) vi.stubEnv(variable, 'configured');
    await expect(importHandler(handler)).resolves.toHaveProperty('handler', expect.any(Function));
  });

  it.each(
    cases.flatMap(({ handler, variables }) => variables.map((missing) => ({ handler, variables, missing }))),
  )('fails the import of $handler without $missing, naming it', async ({ handler, variables, missing }) => {
    for (const variable of variables) if (variable !== missing) vi.stubEnv(variable, 'configured');
    await expect(importHandler(handler)).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining(missing),
    });
  });
});
