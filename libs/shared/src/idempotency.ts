import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './dynamo.ts';
import { IdempotencyKeyReusedError } from './errors.ts';
import type { IdempotencyStore } from './idempotency-key.ts';

const DAY_SECONDS = 24 * 60 * 60;

/** The IdempotencyStore on a DynamoDB table keyed by `id`, with TTL attribute `expiresAt`. */
export function createIdempotencyStore(options: {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Keeps keys of different operations apart, e.g. `POST /orders`. */
  scope: string;
  ttlSeconds?: number;
  now?: () => Date;
}): IdempotencyStore {
  const { client, tableName, scope, ttlSeconds = DAY_SECONDS, now = () => new Date() } = options;
  return {
    async claim({ key, requestHash: hash, resourceId }) {
      const id = `${scope}#${key}`;
      const createdAt = now();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              id,
              requestHash: hash,
              resourceId,
              createdAt: createdAt.toISOString(),
              expiresAt: Math.floor(createdAt.getTime() / 1000) + ttlSeconds,
            },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return {};
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
      );
      if (!Item) throw new Error(`Idempotency record ${id} vanished between its write and its read`);
      if (Item.requestHash !== hash) {
        throw new IdempotencyKeyReusedError(
          'This Idempotency-Key was already used with a different request body',
        );
      }
      return { replayOf: String(Item.resourceId) };
    },
  };
}
