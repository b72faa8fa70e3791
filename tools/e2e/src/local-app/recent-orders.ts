import { type DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DiagramIndex, LocalModel } from '@shop/local-cloud';
import type { OrderSummary } from './page-types.ts';

/**
 * Orders as the page lists them, read from the Orders table through the DynamoDB endpoint. The
 * table is the one the template gives the function behind `GET /orders/{orderId}`.
 */
export interface RecentOrders {
  /** Newest first. Empty when the template has no such route. */
  list(limit: number): Promise<OrderSummary[]>;
  get(orderId: string): Promise<OrderSummary | undefined>;
}

export function recentOrders(dynamodb: DynamoDBClient, model: LocalModel, index: DiagramIndex): RecentOrders {
  const route = model.routes.find((candidate) => /^GET \/orders\/\{\w+\}$/.test(candidate.routeKey));
  const table = route
    ? index
        .targetsOf(`fn:${route.functionName}`)
        .find((node) => node.startsWith('table:'))
        ?.slice('table:'.length)
    : undefined;
  return {
    async list(limit) {
      if (!table) return [];
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, never> | undefined;
      do {
        const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
        startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (startKey);
      return items
        .map(toSummary)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, limit);
    },
    async get(orderId) {
      if (!table) return undefined;
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: table, Key: { orderId: { S: orderId } }, ConsistentRead: true }),
      );
      return Item && toSummary(unmarshall(Item));
    },
  };
}

function toSummary(item: Record<string, unknown>): OrderSummary {
  const payment = (item.payment ?? {}) as OrderSummary['payment'];
  return {
    orderId: String(item.orderId),
    status: String(item.status),
    total: Number(item.total),
    currency: String(item.currency),
    createdAt: String(item.createdAt ?? ''),
    ...(item.updatedAt ? { updatedAt: String(item.updatedAt) } : {}),
    payment: {
      method: String(payment.method ?? ''),
      status: String(payment.status ?? ''),
      attempts: Number(payment.attempts ?? 0),
      ...(payment.reason ? { reason: String(payment.reason) } : {}),
    },
    ...(item.invoiceId ? { invoiceId: String(item.invoiceId) } : {}),
  };
}
