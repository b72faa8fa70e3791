import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands.ts';
import { ENVELOPE_FIELDS, EVENT_SOURCE_PREFIX, envelopeOf, SERVICES } from '../src/envelope.ts';
import { ERROR_STATUS } from '../src/errors.ts';
import { EVENT_TYPES, EVENTS } from '../src/events.ts';
import { placeOrderRequestSchema } from '../src/http.ts';

const sampleEvent = {
  id: 'evt_1',
  type: 'PaymentCaptured',
  version: 1,
  occurredAt: '2026-12-03T10:00:00.000Z',
  correlationId: 'corr-1',
  data: { orderId: 'ord_1', captureId: 'cap_1', amount: 1000, currency: 'EUR', attempts: 1 },
};

describe('the event contracts', () => {
  it('hold every domain event of the flow', () => {
    expect(EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'InvoiceIssued',
        'OrderCancelled',
        'OrderPlaced',
        'PaymentCaptured',
        'PaymentFailed',
        'PaymentRefunded',
      ]),
    );
  });

  it.each(EVENT_TYPES)('name %s after its key, and its source after its publishing service', (type) => {
    const event = EVENTS[type];
    expect(event.type).toBe(type);
    expect(SERVICES).toContain(event.publisher);
    expect(event.source).toBe(`${EVENT_SOURCE_PREFIX}.${event.publisher}`);
    expect(event.description).not.toBe('');
  });

  it('accept an envelope of their own type and version only', () => {
    expect(EVENTS.PaymentCaptured.schema.safeParse(sampleEvent).success).toBe(true);
    expect(EVENTS.PaymentCaptured.schema.safeParse({ ...sampleEvent, version: 2 }).success).toBe(false);
    expect(EVENTS.PaymentRefunded.schema.safeParse(sampleEvent).success).toBe(false);
  });

  it('refuse a data field of the wrong type, naming it', () => {
    const result = EVENTS.PaymentCaptured.schema.safeParse({
      ...sampleEvent,
      data: { ...sampleEvent.data, amount: 10.5 },
    });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['data.amount']);
  });
});

describe('the command contracts', () => {
  it('go from one service to another, in the envelope without occurredAt', () => {
    for (const command of Object.values(COMMANDS)) {
      expect(SERVICES).toContain(command.sender);
      expect(SERVICES).toContain(command.receiver);
      expect(command.sender).not.toBe(command.receiver);
      expect(Object.keys(command.schema.shape)).toEqual(
        ENVELOPE_FIELDS.filter((field) => field !== 'occurredAt'),
      );
    }
  });
});

describe('the examples of the messages', () => {
  const messages = [...Object.values(EVENTS), ...Object.values(COMMANDS)];

  it.each(messages.map((message) => [message.type, message] as const))(
    'give %s a data its schema accepts, in an envelope its own schema accepts',
    (_type, message) => {
      const envelope = envelopeOf(message, {
        id: 'msg_1',
        // Commands travel without occurredAt: the queue says when they were sent.
        occurredAt: 'publisher' in message ? '2026-12-03T10:00:00.000Z' : undefined,
        correlationId: 'corr-1',
        data: message.example,
      });
      expect(message.data.safeParse(message.example).error?.issues ?? []).toEqual([]);
      expect(message.schema.safeParse(envelope).error?.issues ?? []).toEqual([]);
    },
  );

  it.each(messages.map((message) => [message.type, message] as const))(
    'show every field of %s',
    (_type, message) => {
      expect(Object.keys(message.example).sort()).toEqual(Object.keys(message.data.shape).sort());
    },
  );
});

describe('envelopeOf', () => {
  it("lays out the envelope's fields in their order, with the definition's type and version", () => {
    const envelope = envelopeOf(EVENTS.OrderCancelled, {
      data: { orderId: '$.orderId', previousStatus: '$.status' },
      correlationId: '$.correlationId',
      occurredAt: '$$.State.EnteredTime',
      id: 'States.UUID()',
    });
    expect(Object.keys(envelope)).toEqual([...ENVELOPE_FIELDS]);
    expect(envelope).toMatchObject({ type: 'OrderCancelled', version: 1 });
    expect(Object.keys(EVENTS.OrderCancelled.schema.shape)).toEqual([...ENVELOPE_FIELDS]);
  });

  it('leaves occurredAt out of a command', () => {
    const envelope = envelopeOf(COMMANDS.IssueInvoice, { id: 'cmd_1', correlationId: 'c', data: {} });
    expect(Object.keys(envelope)).toEqual(['id', 'type', 'version', 'correlationId', 'data']);
  });
});

describe('the HTTP contract', () => {
  it('answers every error status of the API with a code of its own', () => {
    expect([...new Set(Object.values(ERROR_STATUS))].sort()).toEqual([
      400, 401, 404, 405, 409, 413, 415, 422, 500,
    ]);
  });

  it('refuses an order body that names its customer, saying where the customer comes from', () => {
    const result = placeOrderRequestSchema.safeParse({
      customerId: 'someone-else',
      currency: 'EUR',
      items: [{ sku: 'BOOK-42', quantity: 1, unitPrice: 1250 }],
      payment: { method: 'card', token: 'tok_visa' },
    });
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'The customer comes from the sign-in token: remove customerId from the body',
    ]);
  });
});
