import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventPublisher, EventPublishError } from '../src/event-bus.ts';
import { createEvent } from '../src/events.ts';

// EventBridge is mocked: no emulator covers PutEvents in unit tests (the local cloud provides one).
const eventBridge = mockClient(EventBridgeClient);
afterEach(() => eventBridge.reset());

const publisher = () =>
  createEventPublisher({
    client: new EventBridgeClient({ region: 'us-east-1' }),
    busName: 'bus',
    service: 'orders',
  });
const placed = () =>
  createEvent(
    'OrderPlaced',
    { orderId: 'ord_1', customerId: 'c1', total: 100, currency: 'EUR', paymentMethod: 'card' },
    { correlationId: 'corr' },
  );

describe('the event publisher', () => {
  it('puts each event on the bus with its type as detail-type and the envelope as detail', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const event = placed();
    await publisher().publish(event);
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    expect(call?.args[0].input.Entries).toEqual([
      {
        EventBusName: 'bus',
        Source: 'serverless-commerce.orders',
        DetailType: 'OrderPlaced',
        Detail: JSON.stringify(event),
      },
    ]);
  });

  it('turns a partial PutEvents failure into an error instead of losing the event', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(publisher().publish(placed())).rejects.toThrow(EventPublishError);
  });

  it('sends nothing when there is nothing to publish', async () => {
    await publisher().publish();
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
