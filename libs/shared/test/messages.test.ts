import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { busEvent } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.ts';
import {
  createCommand,
  createEvent,
  parseBusEventBody,
  parseCommand,
  parseEvent,
  UnexpectedEventError,
} from '../src/messages.ts';

const captured = () =>
  createEvent(
    EVENTS.PaymentCaptured,
    { orderId: 'ord_1', captureId: 'cap_1', amount: 1000, currency: 'EUR', attempts: 1 },
    { correlationId: 'corr-1' },
  );

describe('domain-event envelopes', () => {
  it('wraps data in a versioned envelope that validates against its own schema', () => {
    const event = captured();
    expect(event).toMatchObject({ type: EVENTS.PaymentCaptured.type, version: 1, correlationId: 'corr-1' });
    expect(event.id).toMatch(/^evt_/);
    expect(parseEvent(event, [EVENTS.PaymentCaptured])).toEqual(event);
  });

  it('unwraps the envelope from an EventBridge event delivered to SQS', () => {
    const event = captured();
    expect(
      parseBusEventBody(JSON.stringify(busEvent(event)), [EVENTS.PaymentCaptured, EVENTS.PaymentFailed]),
    ).toEqual(event);
  });

  it('refuses an event type the consumer does not accept', () => {
    expect(() => parseEvent(captured(), [EVENTS.InvoiceIssued])).toThrow(UnexpectedEventError);
  });

  it('refuses an envelope whose data breaks its schema, naming the field', () => {
    const event = {
      ...captured(),
      data: { orderId: 'ord_1', captureId: 'cap_1', amount: 10.5, currency: 'EUR' },
    };
    expect(() => parseEvent(event, [EVENTS.PaymentCaptured])).toThrow(ValidationError);
    try {
      parseEvent(event, [EVENTS.PaymentCaptured]);
    } catch (error) {
      expect((error as ValidationError).details?.map((detail) => detail.path)).toEqual([
        'data.amount',
        'data.attempts',
      ]);
    }
  });

  it('carries the compensation of a PaymentFailed, and still accepts one published before it had any', () => {
    const failed = () =>
      createEvent(
        EVENTS.PaymentFailed,
        { orderId: 'ord_1', reason: 'provider_unavailable', attempts: 1 },
        { correlationId: 'corr-1' },
      );
    const refunded = { action: 'refunded', refundId: 'ref_1' };
    const withCompensation = { ...failed(), data: { ...failed().data, compensation: refunded } };
    expect(parseEvent(withCompensation, [EVENTS.PaymentFailed]).data.compensation).toEqual(refunded);
    expect(parseEvent(failed(), [EVENTS.PaymentFailed]).data.compensation).toBeUndefined();
    const unknownAction = { ...failed(), data: { ...failed().data, compensation: { action: 'voided' } } };
    expect(() => parseEvent(unknownAction, [EVENTS.PaymentFailed])).toThrow(ValidationError);
  });
});

describe('command envelopes', () => {
  it('round-trips a RequestPayment command through a queue body', () => {
    const command = createCommand(
      COMMANDS.RequestPayment,
      {
        orderId: 'ord_1',
        customerId: 'c1',
        amount: 500,
        currency: 'EUR',
        items: [{ sku: 'A', quantity: 1, unitPrice: 500 }],
        payment: { method: 'card', token: 'tok_visa' },
      },
      { correlationId: 'corr' },
    );
    expect(parseCommand(COMMANDS.RequestPayment, JSON.stringify(command))).toEqual(command);
  });

  it('refuses a command of another type', () => {
    const command = createCommand(
      COMMANDS.IssueInvoice,
      { orderId: 'o', customerId: 'c', currency: 'EUR', items: [], captureId: 'cap' },
      { correlationId: 'corr' },
    );
    expect(() => parseCommand(COMMANDS.RequestPayment, JSON.stringify(command))).toThrow(ValidationError);
  });
});
