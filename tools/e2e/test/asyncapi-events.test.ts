import { EVENTS } from '@shop/contracts/events';
import { createEvent } from '@shop/shared/messages';
import { busEvent } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import { asyncApiProblem } from './asyncapi-events.ts';

const captured = () =>
  createEvent(
    EVENTS.PaymentCaptured,
    { orderId: 'ord_1', captureId: 'cap_1', amount: 1250, currency: 'EUR', attempts: 1 },
    { correlationId: 'corr-1' },
  );

describe('the check of events against asyncapi.yaml', () => {
  it('passes an event as the bus carries it', () => {
    expect(asyncApiProblem(busEvent(captured(), EVENTS.PaymentCaptured.source))).toBeUndefined();
  });

  it('fails an event whose data misses a field, naming it', () => {
    const { attempts: _dropped, ...data } = captured().data;
    const event = busEvent({ ...captured(), data } as { type: string }, EVENTS.PaymentCaptured.source);
    expect(asyncApiProblem(event)).toMatch(
      /^PaymentCaptured from serverless-commerce\.payments is unlike its message in asyncapi\.yaml: \/detail\/data must have required property 'attempts'/,
    );
  });

  it('fails an event from another source than its contract names, and an event with no contract', () => {
    expect(asyncApiProblem(busEvent(captured(), EVENTS.OrderPlaced.source))).toMatch(
      /\/source must be equal to constant/,
    );
    expect(asyncApiProblem({ 'detail-type': 'OrderShipped', source: 'serverless-commerce.orders' })).toBe(
      'OrderShipped from serverless-commerce.orders is no message of asyncapi.yaml',
    );
  });
});
