import { EVENT_SOURCE_PREFIX, SERVICES } from '@shop/contracts/envelope';
import { EVENTS, type EventDefinition } from '@shop/contracts/events';
import * as z from '@shop/contracts/zod';
import { compileEventPattern } from '@shop/local-cloud/eventbridge/event-pattern';
import { ORDER_EVENTS } from '@shop/orders/domain/order-events';
import { CANCELLATION_EVENTS } from '@shop/payments/domain/cancel-payment';
import type { Stack } from 'aws-cdk-lib';
import { sample } from 'openapi-sampler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesized, synthesize } from './synth.ts';

/**
 * Every rule on the bus against examples generated from the events' schemas, run through the local
 * cloud's matcher (EventBridge's semantics): a rule delivers what its consumer accepts, every one of
 * those events, and nothing else, not even an accepted detail-type from another source.
 */
let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

/** An EventBridge event whose detail is an example of the event's envelope schema. */
function exampleOf(event: EventDefinition, source: string = event.source): object {
  const schema = z.toJSONSchema(event.schema, { target: 'draft-7' }) as Parameters<typeof sample>[0];
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': event.type,
    source,
    account: '111111111111',
    time: '2026-12-03T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: sample(schema),
  };
}

/** The events of the contracts the rule of `stack` whose logical id starts with `ruleId` delivers. */
function deliveredBy(stack: Stack, ruleId: string, source?: (event: EventDefinition) => string): string[] {
  const rules = resourcesOf(synthesized.template(stack), 'AWS::Events::Rule').filter(([id]) =>
    id.startsWith(ruleId),
  );
  expect(rules).toHaveLength(1);
  const matches = compileEventPattern(rules[0]?.[1].Properties?.EventPattern);
  return Object.values(EVENTS)
    .filter((event) => matches(exampleOf(event, source?.(event))))
    .map((event) => event.type);
}

const typesOf = (events: readonly EventDefinition[]) => events.map((event) => event.type).sort();

describe('the rules on the bus', () => {
  it("are tried with examples that carry the event's own type and version", () => {
    const { detail } = exampleOf(EVENTS.PaymentCaptured) as { detail: { type: string; version: number } };
    expect(detail).toMatchObject({
      type: EVENTS.PaymentCaptured.type,
      version: EVENTS.PaymentCaptured.version,
    });
  });

  it("deliver to the order-events queue exactly the events the orders' consumer accepts", () => {
    expect(deliveredBy(synthesized.stage.orders, 'OrderEventsRule').sort()).toEqual(typesOf(ORDER_EVENTS));
  });

  it("deliver to the payment-cancellations queue exactly the events payments' cancellation accepts", () => {
    expect(deliveredBy(synthesized.stage.payments, 'PaymentCancellationsRule').sort()).toEqual(
      typesOf(CANCELLATION_EVENTS),
    );
  });

  it('copy every event to the stream', () => {
    expect(deliveredBy(synthesized.stage.data, 'DomainEventsToStreamRule').sort()).toEqual(
      typesOf(Object.values(EVENTS)),
    );
  });

  it('deliver nothing that carries an accepted detail-type from a source outside the application', () => {
    const foreign = () => 'partner.orders';
    expect(deliveredBy(synthesized.stage.orders, 'OrderEventsRule', foreign)).toEqual([]);
    expect(deliveredBy(synthesized.stage.payments, 'PaymentCancellationsRule', foreign)).toEqual([]);
    expect(deliveredBy(synthesized.stage.data, 'DomainEventsToStreamRule', foreign)).toEqual([]);
  });

  it.each(SERVICES)("deliver no event that %s publishes under another service's event name", (service) => {
    const fromService = () => `${EVENT_SOURCE_PREFIX}.${service}`;
    const own = (events: readonly EventDefinition[]) =>
      typesOf(events.filter((event) => event.publisher === service));
    expect(deliveredBy(synthesized.stage.orders, 'OrderEventsRule', fromService).sort()).toEqual(
      own(ORDER_EVENTS),
    );
    expect(deliveredBy(synthesized.stage.payments, 'PaymentCancellationsRule', fromService).sort()).toEqual(
      own(CANCELLATION_EVENTS),
    );
  });
});
