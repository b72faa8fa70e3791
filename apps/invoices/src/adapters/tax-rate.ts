import { readIntegerEnv } from '@shop/shared/config';

/**
 * The tax rate invoices are issued at, in basis points (2000 = 20 %), read once at cold start: a
 * missing or out-of-range value fails the function before it issues a single wrong invoice.
 */
export const taxRateBasisPoints = readIntegerEnv('TAX_RATE_BASIS_POINTS', { min: 0, max: 10_000 });
