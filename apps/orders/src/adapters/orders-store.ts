import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readEnv } from '@shop/shared/config';
import { writeIfConditionHolds } from '@shop/shared/dynamo';
import type { Order } from '../domain/order.ts';
import type { IgnoredEvent, OrdersStore } from '../domain/ports.ts';
import { documentClient as client } from './document-client.ts';

const { tableName } = readEnv({ tableName: 'ORDERS_TABLE_NAME' });

/** How many ignored events an order keeps, newest last: enough to explain it, bounded in size. */
const IGNORED_EVENTS_KEPT = 20;

/** The item holds, beside the order, the ids of every event recorded on it and the last ignored ones. */
interface OrderItem extends Order {
  processedEventIds?: Set<string>;
  ignoredEvents?: IgnoredEvent[];
}

function toOrder({ processedEventIds: _processed, ignoredEvents: _ignored, ...order }: OrderItem): Order {
  return order;
}

async function getItem(orderId: string): Promise<OrderItem | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }),
  );
  return Item as OrderItem | undefined;
}

/** The Orders table (partition key `orderId`), written only by the orders service. */
export const ordersStore: OrdersStore = {
  async get(orderId) {
    const item = await getItem(orderId);
    return item && toOrder(item);
  },

  create(order) {
    return writeIfConditionHolds(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: order,
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      ),
    );
  },

  async deleteIfPending(orderId) {
    // A refused condition means the order moved on, so it is in use and must stay.
    await writeIfConditionHolds(() =>
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { orderId },
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING_PAYMENT' },
        }),
      ),
    );
  },

  async getForEvent(orderId, eventId) {
    const item = await getItem(orderId);
    return item && { order: toOrder(item), recorded: item.processedEventIds?.has(eventId) ?? false };
  },

  applyTransition({ orderId, eventId, from, changes, at }) {
    const attributes = Object.entries({ ...changes, updatedAt: at }).filter(
      ([, value]) => value !== undefined,
    );
    return writeIfConditionHolds(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { orderId },
          // One write changes the order and records the event, so a redelivery finds it recorded.
          UpdateExpression: `SET ${attributes.map(([name]) => `#${name} = :${name}`).join(', ')} ADD processedEventIds :eventIds`,
          ConditionExpression: '#status = :from AND NOT contains(processedEventIds, :eventId)',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...Object.fromEntries(attributes.map(([name]) => [`#${name}`, name])),
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(attributes.map(([name, value]) => [`:${name}`, value])),
            ':from': from,
            ':eventId': eventId,
            ':eventIds': new Set([eventId]),
          },
        }),
      ),
    );
  },

  async recordIgnoredEvent(orderId, ignored) {
    let ignoredEvents: IgnoredEvent[] = [];
    const recorded = await writeIfConditionHolds(async () => {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { orderId },
          UpdateExpression:
            'SET ignoredEvents = list_append(if_not_exists(ignoredEvents, :none), :ignored) ADD processedEventIds :eventIds',
          ConditionExpression: '#status = :status AND NOT contains(processedEventIds, :eventId)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':none': [],
            ':ignored': [ignored],
            ':status': ignored.status,
            ':eventId': ignored.eventId,
            ':eventIds': new Set([ignored.eventId]),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      ignoredEvents = (Attributes?.ignoredEvents as IgnoredEvent[] | undefined) ?? [];
    });
    if (recorded && ignoredEvents.length > IGNORED_EVENTS_KEPT)
      await trimIgnoredEvents(orderId, ignoredEvents.length);
    return recorded;
  },

  cancel({ orderId, from, at }) {
    return writeIfConditionHolds(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { orderId },
          UpdateExpression:
            'SET #status = :cancelled, cancelledFrom = :from, cancelledAt = :at, updatedAt = :at',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':from': from, ':at': at },
        }),
      ),
    );
  },

  async markCancellationPublished(orderId, at) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { orderId },
        UpdateExpression: 'SET cancellationPublishedAt = :at',
        ConditionExpression: '#status = :cancelled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': 'CANCELLED', ':at': at },
      }),
    );
  },
};

/**
 * Drops the oldest ignored events beyond the cap. A list cannot be appended to and trimmed in one
 * expression, so this is a second write, guarded by the length just seen: if another event was
 * appended meanwhile, this trim is skipped and that writer trims instead. The event's id is already
 * in `processedEventIds` either way, so a skipped trim only lets the list exceed the cap for a while.
 */
async function trimIgnoredEvents(orderId: string, length: number): Promise<void> {
  const excess = Array.from(
    { length: length - IGNORED_EVENTS_KEPT },
    (_, index) => `ignoredEvents[${index}]`,
  );
  await writeIfConditionHolds(() =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { orderId },
        UpdateExpression: `REMOVE ${excess.join(', ')}`,
        ConditionExpression: 'size(ignoredEvents) = :length',
        ExpressionAttributeValues: { ':length': length },
      }),
    ),
  );
}
