import { isId } from '@shop/contracts/ids';
import { describe, expect, it } from 'vitest';
import { deterministicId, newId } from '../src/ids.ts';

describe('ids', () => {
  it('makes prefixed ids that sort by creation time', () => {
    const first = newId('ord');
    const second = newId('ord');
    expect(first).toMatch(/^ord_[0-9A-Z]{26}$/);
    expect(first).not.toBe(second);
    expect([second, first].sort()).toEqual([first, second]);
  });

  it('makes the same deterministic id for the same fact and another for another fact', () => {
    expect(deterministicId('inv', 'ord_1')).toBe(deterministicId('inv', 'ord_1'));
    expect(deterministicId('inv', 'ord_1')).not.toBe(deterministicId('inv', 'ord_2'));
    expect(deterministicId('evt', 'a', 'bc')).not.toBe(deterministicId('evt', 'ab', 'c'));
    expect(isId(deterministicId('inv', 'ord_1'), 'inv')).toBe(true);
  });

  it('recognises only well-formed ids of the expected kind', () => {
    const id = newId('ord');
    expect(isId(id, 'ord')).toBe(true);
    expect(isId(id, 'inv')).toBe(false);
    expect(isId('../etc/passwd', 'ord')).toBe(false);
    expect(isId(`${id}' OR '1'='1`, 'ord')).toBe(false);
    expect(isId('ord_01jd3v5q3z8n2x4g7k9m1p6r0t', 'ord')).toBe(false);
  });
});
