import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENTS } from '@shop/contracts/events';
import { createTestBus } from '@shop/testing/resources';
import { beforeEach, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../src/aws-clients.ts';
import { createEventPublisher, EventPublishError } from '../src/event-bus.ts';
import { createEvent } from '../src/messages.ts';

// The real client against the test EventBridge (the local cloud's endpoint): what arrives on the bus is
// what the publisher put.
const bus = await createTestBus();
beforeEach(() => bus.clear());

const publisher = (busName = bus.name) =>
  createEventPublisher({
    client: new EventBridgeClient(awsClientConfig('eventbridge')),
    busName,
    service: 'orders',
  });
const placed = () =>
  createEvent(
    EVENTS.OrderPlaced,
    { orderId: 'ord_1', customerId: 'c1', total: 100, currency: 'EUR', paymentMethod: 'card' },
    { correlationId: 'corr' },
  );

describe('the event publisher', () => {
  it('puts each event on the bus with its type as detail-type and the envelope as detail', async () => {
    const event = placed();
    await publisher().publish(event);
    const arrived = await bus.events();
    expect(
      arrived.map((one) => ({ source: one.source, detailType: one['detail-type'], detail: one.detail })),
    ).toEqual([
      {
        source: 'serverless-commerce.orders',
        detailType: EVENTS.OrderPlaced.type,
        detail: JSON.parse(JSON.stringify(event)),
      },
    ]);
  });

  it('turns a partial PutEvents failure into an error instead of losing the event', async () => {
    // EventBridge accepts the request and rejects the entry: its bus does not exist.
    await expect(publisher('no-such-bus').publish(placed())).rejects.toThrow(EventPublishError);
  });

  it("refuses another service's event and puts nothing on the bus", async () => {
    const captured = createEvent(
      EVENTS.PaymentCaptured,
      { orderId: 'ord_1', captureId: 'cap_1', amount: 100, currency: 'EUR', attempts: 1 },
      { correlationId: 'corr' },
    );
    await expect(publisher().publish(placed(), captured)).rejects.toThrow(
      'orders cannot publish PaymentCaptured: its contract names payments as its publisher',
    );
    expect(await bus.events()).toEqual([]);
  });

  it('sends nothing when there is nothing to publish', async () => {
    // A PutEvents with no entries would fail (EventBridge requires at least one): resolving shows none was sent.
    await publisher().publish();
    expect(await bus.events()).toEqual([]);
  });
});
