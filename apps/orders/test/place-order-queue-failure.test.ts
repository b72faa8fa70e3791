import { httpEvent, lambdaContext } from '@shop/testing/events';
import { scanTable } from '@shop/testing/resources';
import { describe, expect, it } from 'vitest';
import { aCustomerId, anOrderRequest } from './builders.ts';
import { bodyOf, createPlaceOrderResources, type ErrorBody, publishedEvents } from './handler-support.ts';

const { ordersTable, queue, bus } = await createPlaceOrderResources();
// A queue the emulator does not have: every SendMessage of this file fails as on a deleted queue.
process.env.PAYMENT_REQUESTS_QUEUE_URL = queue.url.replace(/[^/]+$/, 'no-such-queue');
const { handler } = await import('../src/handlers/place-order.ts');

describe('POST /orders when the payment request cannot be sent', () => {
  it('answers 500 without internals and leaves no order behind', async () => {
    const response = await handler(
      httpEvent({ method: 'POST', route: '/orders', body: anOrderRequest(), customerId: aCustomerId() }),
      lambdaContext(),
    );

    expect(response.statusCode).toBe(500);
    expect(bodyOf<ErrorBody>(response)).toEqual({
      error: {
        code: 'internal_error',
        message: 'The request could not be completed. Quote the x-correlation-id header when reporting it.',
      },
    });
    expect(response.body).not.toMatch(/queue|sqs|QueueDoesNotExist|NonExistent/i);
    expect(response.headers?.['x-correlation-id']).toEqual(expect.any(String));
    expect(await scanTable(ordersTable)).toEqual([]);
    expect(await publishedEvents(bus)).toEqual([]);
  });
});
