/**
 * Money in every message and body: an integer number of minor units (cents) and one of these
 * currencies. Never a float: floats cannot represent most decimal amounts exactly.
 */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** The largest amount the shop handles in one order, in minor units (10 million in major units). */
export const MAX_AMOUNT = 1_000_000_000;
