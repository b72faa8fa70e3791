import {
  CreateEventBusCommand,
  EventBridgeClient,
  type EventBridgeServiceException,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import {
  createEventBridgeService,
  type Delivery,
  type EventBridgeService,
  type EventBridgeServiceOptions,
  type EventRule,
  type RuleTarget,
} from '../../src/eventbridge/event-bridge-service.ts';

const region = 'eu-west-1';
const accountId = '111122223333';
const shopBus = { name: 'shop-local', arn: `arn:aws:events:${region}:${accountId}:event-bus/shop-local` };
const defaultBus = { name: 'default', arn: `arn:aws:events:${region}:${accountId}:event-bus/default` };
const orderEventsQueue = { id: 'OrderEventsQueue', arn: `arn:aws:sqs:${region}:${accountId}:order-events` };
const archiveStream = { id: 'ArchiveStream', arn: `arn:aws:kinesis:${region}:${accountId}:stream/archive` };

const rules: EventRule[] = [
  {
    name: 'PaymentOutcomesToOrders',
    busName: shopBus.name,
    pattern: {
      source: ['serverless-commerce.payments'],
      'detail-type': ['ChargeCaptured', 'ChargeFailed'],
    },
    targets: [orderEventsQueue],
  },
  {
    name: 'EverythingToArchive',
    busName: shopBus.name,
    pattern: { source: [{ prefix: 'serverless-commerce.' }] },
    targets: [{ ...archiveStream, inputPath: '$.detail' }],
  },
  {
    name: 'CancellationsToPayments',
    busName: shopBus.name,
    pattern: { 'detail-type': ['CheckoutCancelled'] },
    targets: [
      { id: 'Constant', arn: 'arn:aws:sqs:eu-west-1:111122223333:constant', input: '{"command":"Cancel"}' },
    ],
  },
];

interface Delivered {
  target: RuleTarget;
  payload: unknown;
  delivery: Delivery;
}

let service: EventBridgeService | undefined;
let client: EventBridgeClient | undefined;

afterEach(async () => {
  client?.destroy();
  client = undefined;
  await service?.stop();
  service = undefined;
});

async function start(overrides: Partial<EventBridgeServiceOptions> = {}) {
  const delivered: Delivered[] = [];
  const logs: LogEntry[] = [];
  service = await createEventBridgeService({
    buses: [defaultBus, shopBus],
    rules,
    region,
    accountId,
    log: (entry) => logs.push(entry),
    async deliver(target, payload, delivery) {
      delivered.push({ target, payload, delivery });
    },
    retry: { baseDelayMs: 1 },
    ...overrides,
  });
  client = new EventBridgeClient({
    endpoint: service.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return { service, client, delivered, logs };
}

function entry(overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    EventBusName: shopBus.name,
    Source: 'serverless-commerce.payments',
    DetailType: 'ChargeCaptured',
    Detail: JSON.stringify({ orderId: 'o-1', correlationId: 'c-1' }),
    ...overrides,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const to = (delivered: Delivered[], targetId: string) =>
  delivered.filter(({ target }) => target.id === targetId);

describe('the local EventBridge endpoint, with the real EventBridgeClient', () => {
  it('accepts PutEvents and delivers the EventBridge event to the matching rule target', async () => {
    const { client, delivered } = await start();
    const before = Date.now();

    const result = await client.send(new PutEventsCommand({ Entries: [entry()] }));

    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor(() => to(delivered, orderEventsQueue.id).length === 1, 'the delivery to OrderEventsQueue');
    const [{ payload, delivery } = expect.unreachable()] = to(delivered, orderEventsQueue.id);
    expect(payload).toEqual({
      version: '0',
      id: eventId,
      'detail-type': 'ChargeCaptured',
      source: 'serverless-commerce.payments',
      account: accountId,
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      region,
      resources: [],
      detail: { orderId: 'o-1', correlationId: 'c-1' },
    });
    expect(Date.parse((payload as { time: string }).time)).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    expect(delivery).toMatchObject({ rule: 'PaymentOutcomesToOrders', bus: shopBus.name });
  });

  it('reports bad entries one by one while the others are accepted and delivered', async () => {
    const { client, delivered } = await start();

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ Detail: undefined }),
          entry({ Source: undefined }),
          entry({ Detail: '[1, 2]' }),
          entry({ Detail: '{not json' }),
          entry({ EventBusName: 'no-such-bus' }),
          entry({ EventBusName: `arn:aws:events:${region}:${accountId}:event-bus/no-such-bus` }),
          entry({ EventBusName: shopBus.arn, DetailType: 'ChargeFailed' }),
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.map((item) => item.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      'ok',
    ]);
    expect(result.Entries?.[1]?.ErrorMessage).toBe(
      'Parameter Detail is not valid. Reason: Detail is a required argument.',
    );
    expect(result.Entries?.[2]?.ErrorMessage).toBe(
      'Parameter Source is not valid. Reason: Source is a required argument.',
    );
    expect(result.Entries?.[3]?.ErrorMessage).toBe('Detail is malformed.');
    expect(result.Entries?.[5]?.ErrorMessage).toBe('Event bus no-such-bus does not exist.');
    await waitFor(() => to(delivered, orderEventsQueue.id).length === 2, 'both accepted events');
    expect(to(delivered, orderEventsQueue.id).map(({ payload }) => (payload as { id: string }).id)).toEqual([
      result.Entries?.[0]?.EventId,
      result.Entries?.[7]?.EventId,
    ]);
  });

  it('rejects more than 10 entries as a whole with a ValidationException, as AWS does', async () => {
    const { client, delivered } = await start();

    const error = await client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))
      .then(() => expect.unreachable('PutEvents should fail'))
      .catch((caught: EventBridgeServiceException) => caught);

    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/Member must have length less than or equal to 10/);
    expect(delivered).toEqual([]);
  });

  it('rejects a request whose entries exceed 256 KB in total', async () => {
    const { client } = await start();
    const big = JSON.stringify({ padding: 'x'.repeat(140 * 1024) });

    await expect(
      client.send(new PutEventsCommand({ Entries: [entry({ Detail: big }), entry({ Detail: big })] })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/over the limit/),
    });
  });

  it('delivers to matching rules only', async () => {
    const { client, delivered } = await start();

    await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Source: 'serverless-commerce.orders', DetailType: 'CheckoutStarted' }),
          entry({ DetailType: 'ChargeCaptured' }),
          entry({ Source: 'somebody.else', DetailType: 'ChargeCaptured' }),
        ],
      }),
    );

    // The archive rule matches both serverless-commerce events; once it has both, routing is done.
    await waitFor(() => to(delivered, archiveStream.id).length === 2, 'the archive deliveries');
    expect(
      to(delivered, orderEventsQueue.id).map(({ payload }) => (payload as { source: string }).source),
    ).toEqual(['serverless-commerce.payments']);
    expect(to(delivered, 'Constant')).toEqual([]);
  });

  it('sends the part of the event an InputPath selects, and a constant Input instead of the event', async () => {
    const { client, delivered } = await start();

    await client.send(
      new PutEventsCommand({
        Entries: [entry({ Source: 'serverless-commerce.orders', DetailType: 'CheckoutCancelled' })],
      }),
    );

    await waitFor(() => to(delivered, 'Constant').length === 1, 'the constant input');
    expect(to(delivered, 'Constant')[0]?.payload).toEqual({ command: 'Cancel' });
    await waitFor(() => to(delivered, archiveStream.id).length === 1, 'the archive delivery');
    expect(to(delivered, archiveStream.id)[0]?.payload).toEqual({ orderId: 'o-1', correlationId: 'c-1' });
  });

  it('keeps the Time and Resources of an entry', async () => {
    const { client, delivered } = await start();

    await client.send(
      new PutEventsCommand({
        Entries: [entry({ Time: new Date('2022-01-01T00:00:00.250Z'), Resources: ['arn:aws:s3:::bucket'] })],
      }),
    );

    await waitFor(() => to(delivered, orderEventsQueue.id).length === 1, 'the delivery');
    expect(to(delivered, orderEventsQueue.id)[0]?.payload).toMatchObject({
      time: '2022-01-01T00:00:00Z',
      resources: ['arn:aws:s3:::bucket'],
    });
  });

  it('uses the default bus when the entry names none', async () => {
    const { client, delivered, service } = await start({
      rules: [
        { name: 'OnDefault', busName: 'default', pattern: { source: ['x'] }, targets: [orderEventsQueue] },
      ],
    });
    const seen: string[] = [];
    service.onEvent(({ bus }) => seen.push(bus));

    const result = await client.send(
      new PutEventsCommand({ Entries: [entry({ EventBusName: undefined, Source: 'x' })] }),
    );

    expect(result.FailedEntryCount).toBe(0);
    await waitFor(() => delivered.length === 1, 'the delivery');
    expect(seen).toEqual(['default']);
  });

  it('keeps the account default bus even when the template declares only its own buses', async () => {
    const { client, delivered, service } = await start({
      buses: [shopBus],
      rules: [
        { name: 'OnDefault', busName: 'default', pattern: { source: ['x'] }, targets: [orderEventsQueue] },
      ],
    });
    const seen: string[] = [];
    service.onEvent(({ bus }) => seen.push(bus));

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ EventBusName: undefined, Source: 'x' }),
          entry({ EventBusName: 'default', Source: 'x' }),
          entry({ EventBusName: defaultBus.arn, Source: 'x' }),
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(0);
    await waitFor(() => delivered.length === 3, 'the three deliveries');
    expect(seen).toEqual(['default', 'default', 'default']);
  });

  it('refuses to create a bus named default, which every account already has', async () => {
    const { client } = await start({ buses: [shopBus], acceptsResourceChanges: true });

    await expect(client.send(new CreateEventBusCommand({ Name: 'default' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
  });

  it('refuses loudly the operations it does not serve', async () => {
    const { client, logs } = await start();

    await expect(client.send(new ListRulesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
    expect(logs.some((log) => log.level === 'WARN' && log.message.includes('AWSEvents.ListRules'))).toBe(
      true,
    );
  });
});

describe('buses and rules a test run creates', () => {
  it('lets a test create a bus, a rule and its target with the real client, and delivers what matches', async () => {
    const { client, delivered } = await start({ acceptsResourceChanges: true });

    const bus = await client.send(new CreateEventBusCommand({ Name: 'test-bus-1' }));
    const rule = await client.send(
      new PutRuleCommand({
        Name: 'OrdersToQueue',
        EventBusName: 'test-bus-1',
        EventPattern: JSON.stringify({ source: ['serverless-commerce.orders'] }),
      }),
    );
    const targets = await client.send(
      new PutTargetsCommand({
        Rule: 'OrdersToQueue',
        EventBusName: 'test-bus-1',
        Targets: [{ Id: 'Queue', Arn: orderEventsQueue.arn, InputPath: '$.detail' }],
      }),
    );
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({
            EventBusName: 'test-bus-1',
            Source: 'serverless-commerce.orders',
            DetailType: 'CheckoutStarted',
          }),
          entry({ EventBusName: 'test-bus-1', Source: 'serverless-commerce.payments' }),
        ],
      }),
    );

    expect(bus.EventBusArn).toBe(`arn:aws:events:${region}:${accountId}:event-bus/test-bus-1`);
    expect(rule.RuleArn).toBe(`arn:aws:events:${region}:${accountId}:rule/test-bus-1/OrdersToQueue`);
    expect(targets.FailedEntryCount).toBe(0);
    expect(result.FailedEntryCount).toBe(0);
    await waitFor(() => delivered.length === 1, 'the delivery');
    expect(delivered).toEqual([
      {
        target: { id: 'Queue', arn: orderEventsQueue.arn, inputPath: '$.detail' },
        payload: { orderId: 'o-1', correlationId: 'c-1' },
        delivery: expect.objectContaining({ rule: 'OrdersToQueue', bus: 'test-bus-1' }),
      },
    ]);
  });

  it('refuses a bus that exists already, a rule on a bus that does not, and a pattern it cannot match', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const rule = (busName: string, pattern: object) =>
      client.send(
        new PutRuleCommand({ Name: 'Rule', EventBusName: busName, EventPattern: JSON.stringify(pattern) }),
      );

    await expect(client.send(new CreateEventBusCommand({ Name: shopBus.name }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    await expect(rule('no-such-bus', { source: ['a'] })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(rule(shopBus.name, { source: [{ 'no-such-operator': 'a' }] })).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
  });

  it('refuses every resource change unless asked to, since the local cloud takes its buses and rules from the template', async () => {
    const { client } = await start();

    await expect(client.send(new CreateEventBusCommand({ Name: 'test-bus-1' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
  });
});

describe('the AWS JSON 1.1 wire protocol', () => {
  const post = (endpoint: string, body: string) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
      body,
    });

  it('answers in application/x-amz-json-1.1 with a request id', async () => {
    const { service } = await start();

    const response = await post(service.endpoint, JSON.stringify({ Entries: [entry()] }));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: expect.any(String) }],
    });
  });

  it.each([
    ['a body that is not JSON', '{"Entries": [', 'SerializationException'],
    ['no Entries', '{}', 'ValidationException'],
    ['an entry that is not an object', '{"Entries": [null]}', 'ValidationException'],
    ['no entries at all', '{"Entries": []}', 'ValidationException'],
  ])('rejects %s with a typed 400 error', async (_name, body, type) => {
    const { service, delivered } = await start();

    const response = await post(service.endpoint, body);

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe(type);
    expect(await response.json()).toMatchObject({ __type: type, message: expect.any(String) });
    expect(delivered).toEqual([]);
  });
});

describe('delivery', () => {
  it('answers before it delivers, as EventBridge is asynchronous', async () => {
    const order: string[] = [];
    const { service } = await start({
      async deliver() {
        order.push('delivered');
      },
    });

    const result = await service.putEvents([entry()]);
    order.push('answered');

    expect(result.FailedEntryCount).toBe(0);
    await waitFor(() => order.includes('delivered'), 'the delivery');
    expect(order[0]).toBe('answered');
  });

  it('retries a failing target with backoff and delivers once it recovers', async () => {
    let attempts = 0;
    const { service, logs } = await start({
      rules: [rules[0] as EventRule],
      async deliver() {
        attempts += 1;
        if (attempts < 3) throw new Error('queue unavailable');
      },
    });

    await service.putEvents([entry()]);

    await waitFor(() => attempts === 3, 'the third attempt');
    const warnings = logs.filter((log) => log.level === 'WARN');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ source: 'eventbridge', correlationId: 'c-1' });
    expect(warnings[0]?.message).toMatch(/OrderEventsQueue failed, retrying: queue unavailable/);
    expect(logs.some((log) => log.level === 'ERROR')).toBe(false);
  });

  it('gives up after 3 retries and logs the dropped event without failing the service', async () => {
    let attempts = 0;
    const { service, logs } = await start({
      rules: [rules[0] as EventRule],
      async deliver() {
        attempts += 1;
        throw new Error('queue deleted');
      },
    });

    await service.putEvents([entry()]);

    await waitFor(() => logs.some((log) => log.level === 'ERROR'), 'the final error');
    expect(attempts).toBe(4);
    expect(logs.find((log) => log.level === 'ERROR')?.message).toMatch(
      /delivery to OrderEventsQueue failed 4 time\(s\), event dropped: queue deleted/,
    );
    expect((await service.putEvents([entry()])).FailedEntryCount).toBe(0);
  });

  it('tells onEvent listeners about every accepted event and the rules it matched', async () => {
    const { service } = await start();
    const seen: Array<{ detailType: string; matchedRules: string[] }> = [];
    const unsubscribe = service.onEvent(({ event, matchedRules }) =>
      seen.push({ detailType: event['detail-type'], matchedRules }),
    );

    await service.putEvents([
      entry(),
      entry({ Detail: 'nope' }),
      entry({ Source: 'other', DetailType: 'Other' }),
    ]);
    await waitFor(() => seen.length === 2, 'two accepted events');
    unsubscribe();
    await service.putEvents([entry()]);

    expect(seen).toEqual([
      { detailType: 'ChargeCaptured', matchedRules: ['PaymentOutcomesToOrders', 'EverythingToArchive'] },
      { detailType: 'Other', matchedRules: [] },
    ]);
  });

  it('stops serving and refuses new events once stopped', async () => {
    const { service: running } = await start();
    const { endpoint } = running;

    await running.stop();
    service = undefined;

    await expect(fetch(endpoint, { method: 'POST' })).rejects.toThrow();
    await expect(running.putEvents([entry()])).rejects.toThrow(/stopped/);
  });
});

describe('loading rules', () => {
  const load = (rule: EventRule) =>
    createEventBridgeService({
      buses: [shopBus],
      rules: [rule],
      region,
      accountId,
      log: () => {},
      deliver: async () => {},
    });
  const base: EventRule = { name: 'BadRule', busName: shopBus.name, pattern: { source: ['x'] }, targets: [] };

  it('refuses a pattern it cannot match, naming the rule and the operator', async () => {
    await expect(load({ ...base, pattern: { detail: { type: [{ contains: 'Order' }] } } })).rejects.toThrow(
      /Rule BadRule on bus shop-local cannot run locally: .*"detail.type": unsupported operator "contains"/,
    );
  });

  it('refuses a rule on a bus the template does not define', async () => {
    await expect(load({ ...base, busName: 'elsewhere' })).rejects.toThrow(
      /Rule BadRule is on event bus "elsewhere"/,
    );
  });

  it('refuses a target Input that is not JSON', async () => {
    await expect(load({ ...base, targets: [{ id: 'T', arn: 'arn:t', input: '{oops' }] })).rejects.toThrow(
      /Rule BadRule, target T: Input is not valid JSON/,
    );
  });

  it('refuses an InputPath it cannot evaluate exactly', async () => {
    await expect(
      load({ ...base, targets: [{ id: 'T', arn: 'arn:t', inputPath: '$.detail[*].id' }] }),
    ).rejects.toThrow(/InputPath "\$.detail\[\*\].id" is not supported locally/);
  });
});
