import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { createTestTable, scanTable } from '@shop/testing/resources';

/** The Payments table of one test file, with helpers to set up a payment and to read what was written. */
export async function createPaymentsTable() {
  const tableName = await createTestTable({ envVar: 'PAYMENTS_TABLE_NAME', partitionKey: 'orderId' });
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig('dynamodb')));
  return {
    /** Writes a payment as the workflow's own DynamoDB steps would. */
    async seed<T extends Record<string, unknown>>(item: T): Promise<T> {
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
      return item;
    },
    /** Every item stored for an order (the tests share one table, each with its own orders). */
    async itemsOf(orderId: string): Promise<Record<string, unknown>[]> {
      return (await scanTable(tableName)).filter((item) => item.orderId === orderId);
    },
  };
}
