import { createDocumentClient } from '@shop/shared/dynamo';

/** One DynamoDB client per function, shared by the adapters of its tables. */
export const documentClient = createDocumentClient();
