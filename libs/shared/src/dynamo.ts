import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from './aws-clients.ts';

/** A DynamoDB document client for the current environment. Create one per function, at module scope. */
export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig('dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** True for the error DynamoDB returns when a write's ConditionExpression does not hold. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Runs a conditional write: `true` when it was written, `false` when its ConditionExpression did
 * not hold. Any other error is thrown.
 */
export async function writeIfConditionHolds(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}
