import { readEnv } from '@shop/shared/config';
import { createIdempotencyStore } from '@shop/shared/idempotency';
import { documentClient } from './document-client.ts';

const { tableName } = readEnv({ tableName: 'IDEMPOTENCY_TABLE_NAME' });

/** Idempotency-Key records of POST /orders. */
export const idempotencyStore = createIdempotencyStore({
  client: documentClient,
  tableName,
  scope: 'POST /orders',
});
