import { readFileSync } from 'node:fs';
import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { API_DOCUMENTS } from '../src/api-documents.ts';
import {
  breakingChangesSince,
  compareDocuments,
  defaultBaseRef,
  describeChange,
} from '../src/breaking-changes.ts';

/** The parts of the documents these tests edit. */
interface Schema {
  type?: string;
  const?: unknown;
  properties: Record<string, Schema>;
  required: string[];
}
interface OpenApi {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Schema> };
}
interface AsyncApi {
  channels: Record<string, { messages: Record<string, unknown> }>;
  operations: Record<string, { messages: { $ref: string }[] }>;
  components: { messages: Record<string, { payload: Schema }> };
}

function at<T>(record: Record<string, T>, key: string): T {
  const value = record[key];
  if (value === undefined) throw new Error(`No ${key} in the committed document`);
  return value;
}

const committedOpenApi = () => JSON.parse(readFileSync(API_DOCUMENTS.openapi, 'utf8')) as OpenApi;
const committedAsyncApi = () => parse(readFileSync(API_DOCUMENTS.asyncapi, 'utf8')) as AsyncApi;
const openApiText = (document: OpenApi) => `${JSON.stringify(document, null, 2)}\n`;
/** The envelope of an event inside EventBridge's event. */
const eventEnvelope = (document: AsyncApi, event: string) =>
  at(at(document.components.messages, event).payload.properties, 'detail');
const eventData = (document: AsyncApi, event: string) =>
  at(eventEnvelope(document, event).properties, 'data');

describe('the breaking-change check', () => {
  it('finds nothing that breaks a client against the target branch', () => {
    const { breaking } = breakingChangesSince(defaultBaseRef());
    expect(breaking.map(describeChange)).toEqual([]);
  });

  it('catches a removed route, a removed response field and a new required request field', () => {
    const revised = committedOpenApi();
    delete revised.paths['/invoices/{invoiceId}'];
    const order = at(revised.components.schemas, 'Order');
    delete order.properties.total;
    order.required = order.required.filter((field) => field !== 'total');
    const request = at(revised.components.schemas, 'PlaceOrderRequest');
    request.properties.giftWrap = { type: 'boolean', properties: {}, required: [] };
    request.required.push('giftWrap');

    const { breaking } = compareDocuments(
      'openapi',
      readFileSync(API_DOCUMENTS.openapi, 'utf8'),
      openApiText(revised),
    );
    expect(new Set(breaking.map((change) => change.rule))).toEqual(
      new Set([
        'path-removed',
        'property-removed',
        'required-properties-removed',
        'required-properties-added',
      ]),
    );
  });

  it('catches a removed event and a narrowed field type in an event of the same version', () => {
    const narrowed = EVENTS.InvoiceIssued.type;
    const removed = EVENTS.PaymentRefunded.type;
    const revised = committedAsyncApi();
    eventData(revised, narrowed).properties.total = { type: 'string', properties: {}, required: [] };
    delete revised.components.messages[removed];
    for (const channel of Object.values(revised.channels)) delete channel.messages[removed];
    for (const [id, operation] of Object.entries(revised.operations)) {
      operation.messages = operation.messages.filter((message) => !message.$ref.endsWith(`/${removed}`));
      if (operation.messages.length === 0) delete revised.operations[id];
    }

    const { breaking, versioned } = compareDocuments(
      'asyncapi',
      readFileSync(API_DOCUMENTS.asyncapi, 'utf8'),
      stringify(revised),
    );
    const rules = breaking.map(
      (change) => `${change.rule} ${/messages\/(\w+)/.exec(change.path)?.[1] ?? ''}`,
    );
    expect(rules).toContain(`schema-type-changed ${narrowed}`);
    expect(rules).toContain(`message-removed ${removed}`);
    expect(versioned).toEqual([]);
  });

  it('allows a breaking change in an event whose version was bumped', () => {
    const revised = committedAsyncApi();
    const data = eventData(revised, EVENTS.PaymentCaptured.type);
    delete data.properties.attempts;
    data.required = data.required.filter((field) => field !== 'attempts');
    at(eventEnvelope(revised, EVENTS.PaymentCaptured.type).properties, 'version').const = 2;

    const { breaking, versioned } = compareDocuments(
      'asyncapi',
      readFileSync(API_DOCUMENTS.asyncapi, 'utf8'),
      stringify(revised),
    );
    expect(breaking.map(describeChange)).toEqual([]);
    expect(versioned.map((change) => change.rule)).toContain('property-removed');
  });
});

describe('the breaking-change check after npm run rename', () => {
  it("takes the application's new name in every source and physical name for no break", () => {
    const committed = readFileSync(API_DOCUMENTS.asyncapi, 'utf8');
    const renamed = committed.replaceAll('serverless-commerce', 'acme-shop');
    expect(compareDocuments('asyncapi', committed, renamed).breaking).toEqual([]);
  });
});
