import { MAX_AMOUNT } from '@shop/contracts/money';
import { describe, expect, it } from 'vitest';
import { includedTax, isCurrency, multiply, sum } from '../src/money.ts';

describe('money in integer minor units', () => {
  it('multiplies a unit price by a quantity exactly', () => {
    expect(multiply(1999, 3)).toBe(5997);
  });

  it('refuses fractional amounts instead of rounding them silently', () => {
    expect(() => multiply(19.99, 3)).toThrow(RangeError);
    expect(() => sum([100, 0.5])).toThrow(RangeError);
  });

  it('refuses results beyond the safe integer range', () => {
    expect(() => multiply(Number.MAX_SAFE_INTEGER, 2)).toThrow(RangeError);
    expect(() => sum([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError);
  });

  it('sums amounts, and an empty list to zero', () => {
    expect(sum([100, 250, 1])).toBe(351);
    expect(sum([])).toBe(0);
  });

  it('computes the tax included in a gross amount, rounded half up', () => {
    expect(includedTax(12_000, 2000)).toBe(2000); // 120.00 at 20 % holds 20.00
    expect(includedTax(1000, 0)).toBe(0);
    expect(includedTax(107, 700)).toBe(7); // 1.07 at 7 % holds 0.07
    expect(includedTax(1, 2000)).toBe(0); // 0.1667 rounds down
    expect(includedTax(3, 2000)).toBe(1); // 0.5 rounds up
  });

  it('handles the largest order amount without losing precision', () => {
    expect(includedTax(MAX_AMOUNT, 2500)).toBe(200_000_000);
  });

  it('knows the supported currencies and nothing else', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('eur')).toBe(false);
    expect(isCurrency('XXX')).toBe(false);
  });
});
