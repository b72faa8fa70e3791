/** An order of two lines (29.99 EUR), paid with the given card token by default. */
export function anOrder(overrides: Record<string, unknown> = {}) {
  return {
    currency: 'EUR',
    items: [
      { sku: 'BOOK-1', quantity: 2, unitPrice: 1250 },
      { sku: 'PEN-7', quantity: 1, unitPrice: 499 },
    ],
    payment: { method: 'card', token: 'tok_visa' },
    ...overrides,
  };
}
