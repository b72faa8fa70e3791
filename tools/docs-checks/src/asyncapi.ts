import { COMMANDS, type CommandDefinition } from '@shop/contracts/commands';
import { envelopeOf } from '@shop/contracts/envelope';
import { EVENTS, type EventDefinition } from '@shop/contracts/events';
import * as z from '@shop/contracts/zod';
import type { ApiModel } from './api-model.ts';

/** The JSON Schema (draft 7, AsyncAPI's schema format) of a contract's zod schema. */
function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** EventBridge's envelope around an event's own, as rules, queues and the stream receive it. */
function busEventSchema(event: EventDefinition): Record<string, unknown> {
  return {
    type: 'object',
    description: "EventBridge's event: the domain event's envelope is its detail.",
    properties: {
      version: { type: 'string', const: '0' },
      id: { type: 'string' },
      'detail-type': { type: 'string', const: event.type },
      source: { type: 'string', const: event.source },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail: jsonSchema(event.schema),
    },
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
  };
}

/** The values an example's envelope carries around the contract's own example of the data. */
const EXAMPLE = {
  eventId: 'evt_01JD3V5Q3Z8N2X4G7K9M1P6R0V',
  commandId: 'cmd_01JD3V5Q3Z8N2X4G7K9M1P6R0W',
  correlationId: 'cor_01JD3V5Q3Z8N2X4G7K9M1P6R0X',
  occurredAt: '2026-12-03T10:00:00.000Z',
};

/** An event as a rule delivers it: EventBridge's event, the domain event's envelope as its detail. */
function busEventExample(event: EventDefinition) {
  return {
    name: `${event.type}Example`,
    summary: `${event.type}, as the bus delivers it to a rule's queue and to the stream.`,
    payload: {
      version: '0',
      id: '6f8e2b1c-4d3a-4b5e-9c7f-0a1b2c3d4e5f',
      'detail-type': event.type,
      source: event.source,
      account: '123456789012',
      time: '2026-12-03T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: envelopeOf(event, {
        id: EXAMPLE.eventId,
        occurredAt: EXAMPLE.occurredAt,
        correlationId: EXAMPLE.correlationId,
        data: event.example,
      }),
    },
  };
}

function commandExample(command: CommandDefinition) {
  return {
    name: `${command.type}Example`,
    summary: `${command.type}, as its receiver's queue holds it.`,
    payload: envelopeOf(command, {
      id: EXAMPLE.commandId,
      correlationId: EXAMPLE.correlationId,
      data: command.example,
    }),
  };
}

/** `order-events` → `orderEvents`: a channel's id from its queue's name without the stage prefix. */
function channelId(physicalName: string): string {
  const short = physicalName.replace(/^.*<stage>-/, '');
  return short.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
}

const messageRef = (channel: string, message: string) => ({
  $ref: `#/channels/${channel}/messages/${message}`,
});
const messagesOf = (names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, { $ref: `#/components/messages/${name}` }]));

/**
 * The AsyncAPI 3 document of every event and command: the bus each event is published on (with
 * EventBridge's envelope), the queues rules feed with it and the function that consumes each, the
 * stream every event is copied to, and the queue of each command; each message with its contract's
 * example, in the envelope it travels in.
 */
export function asyncApiDocument(model: ApiModel, version: string): Record<string, unknown> {
  const events = Object.values(EVENTS);
  const channels: Record<string, unknown> = {
    eventBus: {
      address: model.busName,
      title: "The application's EventBridge bus",
      description: 'Every domain event, published with its source and its type as detail-type.',
      messages: messagesOf(events.map((event) => event.type)),
    },
    eventStream: {
      address: model.streamName,
      title: 'The Kinesis stream of every domain event (analytics and audit)',
      description: "A rule copies every event from the bus, partitioned by the order's id.",
      messages: messagesOf(events.map((event) => event.type)),
    },
  };
  const operations: Record<string, unknown> = {};
  for (const event of events) {
    operations[`${event.publisher}Publishes${event.type}`] = {
      action: 'send',
      channel: { $ref: '#/channels/eventBus' },
      summary: `${event.publisher} publishes ${event.type}.`,
      messages: [messageRef('eventBus', event.type)],
    };
  }
  operations.streamReceivesEveryEvent = {
    action: 'receive',
    channel: { $ref: '#/channels/eventStream' },
    summary: 'The stream receives every domain event from the bus.',
    messages: events.map((event) => messageRef('eventStream', event.type)),
  };
  for (const subscription of model.subscriptions) {
    const id = channelId(subscription.queueName);
    const names = subscription.events.map((event) => event.type);
    channels[id] = {
      address: subscription.queueName,
      title: `The ${subscription.queueName.replace(/^.*<stage>-/, '')} queue`,
      description: `Fed by the rule ${subscription.ruleName}; consumed by ${subscription.consumer}.`,
      messages: messagesOf(names),
    };
    operations[`${id}Consumed`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${id}` },
      summary: `${subscription.consumer} consumes ${names.join(', ')}.`,
      messages: names.map((name) => messageRef(id, name)),
    };
  }
  for (const { command, queueName, consumer } of model.commandQueues) {
    const id = channelId(queueName);
    channels[id] = {
      address: queueName,
      title: `The ${command.queue} queue`,
      description: `${command.sender} sends ${command.type} to ${command.receiver}; consumed by ${consumer}.`,
      messages: messagesOf([command.type]),
    };
    operations[`${command.sender}Sends${command.type}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${command.sender} sends ${command.type}.`,
      messages: [messageRef(id, command.type)],
    };
    operations[`${command.receiver}Receives${command.type}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${id}` },
      summary: `${consumer} receives ${command.type}.`,
      messages: [messageRef(id, command.type)],
    };
  }

  const messages: Record<string, unknown> = {};
  for (const event of events) {
    messages[event.type] = {
      name: event.type,
      title: `${event.type} v${event.version}`,
      summary: event.description,
      contentType: 'application/json',
      payload: busEventSchema(event),
      examples: [busEventExample(event)],
    };
  }
  for (const command of Object.values(COMMANDS) as CommandDefinition[]) {
    messages[command.type] = {
      name: command.type,
      title: `${command.type} v${command.version}`,
      summary: command.description,
      contentType: 'application/json',
      payload: jsonSchema(command.schema),
      examples: [commandExample(command)],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Serverless Commerce events and commands',
      version,
      description:
        'Domain events travel on the EventBridge bus in a versioned envelope (id, type, version, occurredAt, ' +
        'correlationId, data); commands go to one service through its queue, in the same envelope without ' +
        'occurredAt. Names carry <stage> for the stage. Generated from libs/contracts and the synthesized ' +
        'templates: npm run api-docs.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
