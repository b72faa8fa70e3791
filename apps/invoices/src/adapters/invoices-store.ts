import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { readEnv } from '@shop/shared/config';
import { createDocumentClient, isConditionalCheckFailed } from '@shop/shared/dynamo';
import type { Invoice } from '../domain/invoice.ts';
import type { InvoicesStore } from '../domain/ports.ts';

const config = readEnv({ tableName: 'INVOICES_TABLE_NAME' });
const client = createDocumentClient();

// Items are read back as Invoices without re-validation: this adapter is the table's only writer.
async function read(invoiceId: string, consistent: boolean): Promise<Invoice | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: config.tableName, Key: { invoiceId }, ConsistentRead: consistent }),
  );
  return Item as Invoice | undefined;
}

/** The Invoices table (partition key `invoiceId`). */
export const invoicesStore: InvoicesStore = {
  get: (invoiceId) => read(invoiceId, false),

  async putIfAbsent(invoice) {
    try {
      await client.send(
        new PutCommand({
          TableName: config.tableName,
          Item: invoice,
          ConditionExpression: 'attribute_not_exists(invoiceId)',
        }),
      );
      return invoice;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // A redelivery: the first delivery's invoice stands. The read is consistent because that write
    // may have happened a moment ago.
    const stored = await read(invoice.invoiceId, true);
    if (!stored) throw new Error(`Invoice ${invoice.invoiceId} vanished between its write and its read`);
    return stored;
  },
};
