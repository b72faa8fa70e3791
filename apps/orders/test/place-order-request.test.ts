import { MAX_AMOUNT } from '@shop/contracts/money';
import { ValidationError } from '@shop/shared/errors';
import { describe, expect, it } from 'vitest';
import { parsePlaceOrderRequest } from '../src/domain/place-order.ts';
import { aLine, anOrderRequest, withoutUndefined } from './builders.ts';

function detailsOf(body: unknown): { path: string; message: string }[] {
  try {
    parsePlaceOrderRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details ?? [];
  }
  throw new Error('expected the request to be refused');
}

const withLine = (line: Record<string, unknown>) => anOrderRequest({ items: [aLine(line)] });
const without = (field: string) => withoutUndefined(anOrderRequest({ [field]: undefined }));
const lines = (count: number) => Array.from({ length: count }, (_, index) => aLine({ sku: `SKU-${index}` }));

describe('the POST /orders body', () => {
  it('is accepted when valid, with its total computed in minor units', () => {
    const request = parsePlaceOrderRequest(anOrderRequest());
    expect(request).toEqual({
      currency: 'EUR',
      items: [
        { sku: 'BOOK-42', quantity: 2, unitPrice: 1250 },
        { sku: 'mug.blue_1', quantity: 1, unitPrice: 500 },
      ],
      payment: { method: 'card', token: 'tok_visa' },
      total: 3000,
    });
  });

  it('accepts a bank transfer, which carries no token', () => {
    const request = parsePlaceOrderRequest(anOrderRequest({ payment: { method: 'bank_transfer' } }));
    expect(request.payment).toEqual({ method: 'bank_transfer' });
  });

  it('accepts every limit exactly: 100 lines, 1000 pieces, a 64-character sku, a total of MAX_AMOUNT', () => {
    expect(parsePlaceOrderRequest(anOrderRequest({ items: lines(100) })).items).toHaveLength(100);
    expect(parsePlaceOrderRequest(withLine({ quantity: 1000 })).total).toBe(1_250_000);
    expect(parsePlaceOrderRequest(withLine({ unitPrice: MAX_AMOUNT })).total).toBe(MAX_AMOUNT);
    expect(parsePlaceOrderRequest(withLine({ sku: 'a'.repeat(64) })).items[0]?.sku).toHaveLength(64);
  });

  it.each([
    ['a JSON null', null],
    ['an array', [anOrderRequest()]],
    ['a string', 'order'],
  ])('is refused when it is %s rather than an object', (_, body) => {
    expect(detailsOf(body)).toEqual([
      { path: '(root)', message: expect.stringContaining('expected object') },
    ]);
  });

  it.each(['currency', 'items', 'payment'])('is refused without %s', (field) => {
    expect(detailsOf(without(field))).toEqual([
      { path: field, message: expect.stringMatching(/received undefined|Invalid option/) },
    ]);
  });

  it('names every missing field at once', () => {
    expect(detailsOf({}).map((detail) => detail.path)).toEqual(['currency', 'items', 'payment']);
  });

  it.each([
    ['a customer id', 'cus_42'],
    ['an empty customer id', ''],
    ['a number', 42],
    ['null', null],
  ])(
    'is refused when it names the customer (%s): the customer comes from the sign-in token',
    (_, customerId) => {
      expect(detailsOf(anOrderRequest({ customerId }))).toEqual([
        {
          path: 'customerId',
          message: 'The customer comes from the sign-in token: remove customerId from the body',
        },
      ]);
    },
  );

  it('names customerId beside every other bad field', () => {
    const body = withoutUndefined(anOrderRequest({ customerId: 'cus_42', currency: undefined, discount: 1 }));
    expect(detailsOf(body).map((detail) => detail.path)).toEqual(['customerId', 'currency', '(root)']);
  });

  it.each([
    ['the top level', anOrderRequest({ discount: 100 }), '(root)', 'discount'],
    ['an item', withLine({ price: 1250 }), 'items.0', 'price'],
    [
      'a card payment',
      anOrderRequest({ payment: { method: 'card', token: 'tok_visa', cvc: '123' } }),
      'payment',
      'cvc',
    ],
    [
      'a bank transfer',
      anOrderRequest({ payment: { method: 'bank_transfer', token: 'tok_visa' } }),
      'payment',
      'token',
    ],
  ])('is refused with an unknown field in %s', (_, body, path, field) => {
    expect(detailsOf(body)).toEqual([{ path, message: `Unrecognized key: "${field}"` }]);
  });

  it.each([
    ['currency', anOrderRequest({ currency: 978 }), 'currency'],
    ['items', anOrderRequest({ items: { sku: 'BOOK-42' } }), 'items'],
    ['an item', anOrderRequest({ items: ['BOOK-42'] }), 'items.0'],
    ['sku', withLine({ sku: 42 }), 'items.0.sku'],
    ['quantity', withLine({ quantity: '2' }), 'items.0.quantity'],
    ['payment', anOrderRequest({ payment: 'card' }), 'payment'],
    ['the payment token', anOrderRequest({ payment: { method: 'card', token: 4242 } }), 'payment.token'],
  ])('is refused when %s has the wrong type', (_, body, path) => {
    expect(detailsOf(body)).toEqual([{ path, message: expect.any(String) }]);
  });

  it.each([
    ['empty', ''],
    ['longer than 64 characters', 's'.repeat(65)],
    ['with a slash', 'BOOK/42'],
  ])('is refused with a sku that is %s', (_, sku) => {
    expect(detailsOf(withLine({ sku }))).toEqual([{ path: 'items.0.sku', message: expect.any(String) }]);
  });

  it.each([
    ['zero', 0, 'Too small'],
    ['negative', -1, 'Too small'],
    ['fractional', 1.5, 'expected int'],
    ['over 1000', 1001, 'Too big'],
    ['a string', '2', 'expected number'],
    ['missing', undefined, 'received undefined'],
  ])('is refused with a quantity that is %s', (_, quantity, message) => {
    expect(detailsOf(withLine({ quantity }))).toEqual([
      { path: 'items.0.quantity', message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    ['zero', 0, 'Too small'],
    ['negative', -1250, 'Too small'],
    ['fractional (a decimal price instead of minor units)', 12.5, 'expected int'],
    ['a string', '1250', 'expected number'],
    ['over MAX_AMOUNT', MAX_AMOUNT + 1, 'Too big'],
    ['null', null, 'expected number'],
    ['missing', undefined, 'received undefined'],
  ])('is refused with a unitPrice that is %s', (_, unitPrice, message) => {
    expect(detailsOf(withLine({ unitPrice }))).toEqual([
      { path: 'items.0.unitPrice', message: expect.stringContaining(message) },
    ]);
  });

  it.each(['XXX', 'eur', ''])('is refused with the unknown currency %j', (currency) => {
    expect(detailsOf(anOrderRequest({ currency }))).toEqual([
      { path: 'currency', message: expect.stringContaining('Invalid option') },
    ]);
  });

  it('is refused with no items', () => {
    expect(detailsOf(anOrderRequest({ items: [] }))).toEqual([
      { path: 'items', message: expect.stringContaining('>=1 items') },
    ]);
  });

  it('is refused with 101 items', () => {
    expect(detailsOf(anOrderRequest({ items: lines(101) }))).toEqual([
      { path: 'items', message: expect.stringContaining('<=100 items') },
    ]);
  });

  it('is refused when the order total exceeds MAX_AMOUNT, though every line is valid', () => {
    const items = [aLine({ quantity: 2, unitPrice: MAX_AMOUNT / 2 }), aLine({ sku: 'PEN', unitPrice: 1 })];
    expect(detailsOf(anOrderRequest({ items }))).toEqual([
      {
        path: 'items',
        message: `Order total ${MAX_AMOUNT + 1} exceeds the maximum of ${MAX_AMOUNT} minor units`,
      },
    ]);
  });

  it.each([
    ['an unknown payment method', { method: 'cash' }, 'payment.method'],
    ['no payment method', { token: 'tok_visa' }, 'payment.method'],
    ['a card without token', { method: 'card' }, 'payment.token'],
    ['a card with an empty token', { method: 'card', token: '' }, 'payment.token'],
    ['a card token over 128 characters', { method: 'card', token: 't'.repeat(129) }, 'payment.token'],
  ])('is refused with %s', (_, payment, path) => {
    expect(detailsOf(anOrderRequest({ payment }))).toEqual([{ path, message: expect.any(String) }]);
  });

  it('reports the field paths of several bad lines', () => {
    const body = anOrderRequest({
      items: [aLine({ quantity: 0 }), aLine(), aLine({ unitPrice: -5, sku: '' })],
    });
    expect(detailsOf(body).map((detail) => detail.path)).toEqual([
      'items.0.quantity',
      'items.2.sku',
      'items.2.unitPrice',
    ]);
  });
});
