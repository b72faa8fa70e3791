import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readEnv } from '@shop/shared/config';
import { createDocumentClient, isConditionalCheckFailed, writeIfConditionHolds } from '@shop/shared/dynamo';
import { parsePaymentRecord } from '../domain/payment.ts';
import type { PaymentsStore } from '../domain/ports.ts';

const { tableName } = readEnv({ tableName: 'PAYMENTS_TABLE_NAME' });
const client = createDocumentClient();

export const paymentsStore: PaymentsStore = {
  async get(orderId) {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: { orderId }, ConsistentRead: true }),
    );
    return Item ? parsePaymentRecord(Item) : undefined;
  },

  async recordAttempt(orderId, at) {
    try {
      // ADD is atomic, so concurrent or retried attempts each get their own number.
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { orderId },
          UpdateExpression: 'ADD attempts :one SET updatedAt = :at',
          ConditionExpression: '#status = :started',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':at': at.toISOString(), ':started': 'STARTED' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.attempts);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  },

  changeStatus(orderId, { from, to, expectedTaskToken, set, at }) {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {};
    const assignments: string[] = [];
    for (const [name, value] of Object.entries({ ...set, status: to, updatedAt: at.toISOString() })) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      assignments.push(`#${name} = :${name}`);
    }
    for (const [index, status] of from.entries()) values[`:from${index}`] = status;
    const conditions = [`#status IN (${from.map((_, index) => `:from${index}`).join(', ')})`];
    if (expectedTaskToken !== undefined) {
      names['#taskToken'] = 'taskToken';
      values[':expectedTaskToken'] = expectedTaskToken;
      conditions.push('#taskToken = :expectedTaskToken');
    }
    return writeIfConditionHolds(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { orderId },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  },

  putTombstone(orderId, at) {
    return writeIfConditionHolds(() =>
      client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            orderId,
            status: 'CANCELLED',
            attempts: 0,
            reason: 'cancelled',
            updatedAt: at.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(orderId)',
        }),
      ),
    );
  },
};
