import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createTestQueue, createTestTable } from '@shop/shared/testing/resources';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AwsClientStub } from 'aws-sdk-client-mock';

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
 * What place-order needs on the emulators (both tables and the payment-requests queue), with its
 * variables set: import the handler after this.
 */
export async function createPlaceOrderResources() {
  const ordersTable = await createOrdersTable();
  const idempotencyTable = await createIdempotencyTable();
  const queue = await createTestQueue('PAYMENT_REQUESTS_QUEUE_URL');
  process.env.EVENT_BUS_NAME = 'test-bus';
  return { ordersTable, idempotencyTable, queue };
}

/** The parsed JSON body of an HTTP handler's response, as the type the test expects. */
export function bodyOf<T>(response: APIGatewayProxyStructuredResultV2): T {
  return JSON.parse(response.body ?? 'null') as T;
}

/** The error shape of the HTTP contract (DESIGN §4). */
export interface ErrorBody {
  error: { code: string; message: string; details?: { path: string; message: string }[] };
}

/** Answers every PutEvents as EventBridge does when it accepts all entries. */
export function acceptPutEvents(eventBridge: AwsClientStub<EventBridgeClient>): void {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'accepted' }] });
}

/** The domain events sent with PutEvents so far, with the entry fields the bus rules match on. */
export function publishedEvents(eventBridge: AwsClientStub<EventBridgeClient>) {
  return eventBridge.commandCalls(PutEventsCommand).flatMap((call) =>
    (call.args[0].input.Entries ?? []).map((entry) => ({
      busName: entry.EventBusName,
      source: entry.Source,
      detailType: entry.DetailType,
      detail: JSON.parse(entry.Detail ?? 'null'),
    })),
  );
}
