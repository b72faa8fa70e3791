/**
 * The order every end-to-end run places, on the local cloud and in the in-process limit alike, so
 * the two figures of a level compare the same work. The customer is whoever signed in: the limit
 * and the function scenarios are this one.
 */
export const BENCH_ORDER = {
  currency: 'EUR',
  items: [
    { sku: 'BOOK-1', quantity: 2, unitPrice: 1250 },
    { sku: 'PEN-7', quantity: 1, unitPrice: 499 },
  ],
  payment: { method: 'card', token: 'tok_visa' },
};

export const BENCH_CUSTOMER_ID = 'cus_bench';
