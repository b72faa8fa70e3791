/**
 * The order every end-to-end run places, on the local cloud and in the in-process limit alike, so
 * the two figures of a level compare the same work.
 */
export const BENCH_ORDER = {
  customerId: 'cus_bench',
  currency: 'EUR',
  items: [
    { sku: 'BOOK-1', quantity: 2, unitPrice: 1250 },
    { sku: 'PEN-7', quantity: 1, unitPrice: 499 },
  ],
  payment: { method: 'card', token: 'tok_visa' },
};
