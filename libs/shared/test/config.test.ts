import { describe, expect, it } from 'vitest';
import { readEnv, readIntegerEnv } from '../src/config.ts';
import { ConfigurationError } from '../src/errors.ts';

describe('configuration read at cold start', () => {
  it('returns every variable asked for', () => {
    const env = { ORDERS_TABLE_NAME: 'orders', EVENT_BUS_NAME: 'bus' };
    expect(readEnv({ table: 'ORDERS_TABLE_NAME', bus: 'EVENT_BUS_NAME' }, env)).toEqual({
      table: 'orders',
      bus: 'bus',
    });
  });

  it('names every missing or blank variable in one error', () => {
    const read = () =>
      readEnv({ table: 'ORDERS_TABLE_NAME', bus: 'EVENT_BUS_NAME' }, { EVENT_BUS_NAME: '  ' });
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow('Missing required environment variable(s): ORDERS_TABLE_NAME, EVENT_BUS_NAME');
  });

  it('reads an integer within bounds and refuses anything else', () => {
    expect(readIntegerEnv('RATE', { min: 0, max: 10_000 }, { RATE: '2000' })).toBe(2000);
    for (const bad of ['abc', '1.5', '-1', '10001']) {
      expect(() => readIntegerEnv('RATE', { min: 0, max: 10_000 }, { RATE: bad })).toThrow(
        `Environment variable RATE must be an integer from 0 to 10000, got "${bad}"`,
      );
    }
  });
});
