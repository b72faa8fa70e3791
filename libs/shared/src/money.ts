import { CURRENCIES, type Currency } from '@shop/contracts/money';

/**
 * Money is an integer number of minor units (cents) and a currency. Never a float: floats cannot
 * represent most decimal amounts exactly, and sums of them drift.
 */
export interface Money {
  amount: number;
  currency: Currency;
}

export function isCurrency(value: string): value is Currency {
  return (CURRENCIES as readonly string[]).includes(value);
}

function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`Amount must be a safe integer of minor units, got ${amount}`);
  }
}

/** Multiplies a unit price by a quantity, refusing results that are not exact integers. */
export function multiply(unitAmount: number, quantity: number): number {
  assertMinorUnits(unitAmount);
  assertMinorUnits(quantity);
  const result = unitAmount * quantity;
  assertMinorUnits(result);
  return result;
}

export function sum(amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) {
    assertMinorUnits(amount);
    total += amount;
  }
  assertMinorUnits(total);
  return total;
}

/**
 * The tax contained in a tax-inclusive amount, for a rate in basis points (2000 = 20 %), rounded
 * half up to the minor unit: `gross * rate / (10000 + rate)`, in integer arithmetic.
 */
export function includedTax(grossAmount: number, rateBasisPoints: number): number {
  assertMinorUnits(grossAmount);
  assertMinorUnits(rateBasisPoints);
  const denominator = 10_000 + rateBasisPoints;
  const numerator = grossAmount * rateBasisPoints;
  assertMinorUnits(numerator);
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}
