import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { createEvent } from '@shop/shared/messages';
import { busEvent } from '@shop/testing/events';
import { describe, expect, it } from 'vitest';
import { asyncApiProblem, queueMessageProblem } from './asyncapi-events.ts';

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
    expect(asyncApiProblem({ 'detail-type': 'NoSuchEvent', source: 'serverless-commerce.orders' })).toBe(
      'NoSuchEvent from serverless-commerce.orders is no message of asyncapi.yaml',
    );
  });
});

describe('the check of queue messages against asyncapi.yaml', () => {
  it('passes a command and an event as a rule delivers it, and fails what is neither', () => {
    const command = {
      id: 'cmd_1',
      type: COMMANDS.IssueInvoice.type,
      version: 1,
      correlationId: 'corr-1',
      data: { orderId: 'ord_1', customerId: 'c-1', currency: 'EUR', items: [], captureId: 'cap_1' },
    };
    expect(queueMessageProblem(JSON.stringify(command))).toBeUndefined();
    expect(
      queueMessageProblem(JSON.stringify(busEvent(captured(), EVENTS.PaymentCaptured.source))),
    ).toBeUndefined();
    expect(queueMessageProblem(JSON.stringify({ ...command, version: 2 }))).toMatch(
      /^IssueInvoice on a queue is unlike its message in asyncapi\.yaml: \/version must be equal to constant/,
    );
    expect(queueMessageProblem('this is not JSON')).toBe('a queue message is not JSON: this is not JSON');
  });
});
