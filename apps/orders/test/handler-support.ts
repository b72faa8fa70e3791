import { createTestBus, createTestQueue, createTestTable, type TestBus } from '@shop/testing/resources';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The Orders table of the shared contract, on the emulator; sets ORDERS_TABLE_NAME. */
export function createOrdersTable(): Promise<string> {
  return createTestTable({
    envVar: 'ORDERS_TABLE_NAME',
    partitionKey: 'orderId',
    indexes: [{ name: 'byCustomer', partitionKey: 'customerId', sortKey: 'createdAt' }],
  });
}

/** The Idempotency table of the shared contract, on the emulator; sets IDEMPOTENCY_TABLE_NAME. */
export function createIdempotencyTable(): Promise<string> {
  return createTestTable({ envVar: 'IDEMPOTENCY_TABLE_NAME', partitionKey: 'id' });
}

/**
 * What place-order needs on the emulators (both tables, the payment-requests queue and the bus), with
 * its variables set: import the handler after this.
 */
export async function createPlaceOrderResources() {
  const ordersTable = await createOrdersTable();
  const idempotencyTable = await createIdempotencyTable();
  const queue = await createTestQueue('PAYMENT_REQUESTS_QUEUE_URL');
  const bus = await createTestBus();
  return { ordersTable, idempotencyTable, queue, bus };
}

/** The parsed JSON body of an HTTP handler's response, as the type the test expects. */
export function bodyOf<T>(response: APIGatewayProxyStructuredResultV2): T {
  return JSON.parse(response.body ?? 'null') as T;
}

/** The error shape of the HTTP contract: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/**
 * The domain events that arrived on the test bus since the last `bus.clear()`, with the fields the
 * bus rules match on. Only events put on that bus arrive there: one put on another bus would not.
 */
export async function publishedEvents(bus: TestBus) {
  return (await bus.events()).map((event) => ({
    source: event.source,
    detailType: event['detail-type'],
    detail: event.detail as { id: string; data: Record<string, unknown> } & Record<string, unknown>,
  }));
}
