import { APP_NAME } from './stages.ts';

/**
 * The `source` each service puts its events on the bus with: `serverless-commerce.<service>`, as
 * libs/shared/src/events.ts (eventSource) builds it. Rules match on it, so a service can only
 * receive a fact from the service that owns it.
 */
export const EVENT_SOURCES = {
  orders: `${APP_NAME}.orders`,
  payments: `${APP_NAME}.payments`,
  invoices: `${APP_NAME}.invoices`,
} as const;

/** The detail-types on the bus: the `type` of each event envelope in libs/shared/src/events.ts. */
export type DomainEventType =
  | 'OrderPlaced'
  | 'OrderCancelled'
  | 'PaymentCaptured'
  | 'PaymentFailed'
  | 'PaymentRefunded'
  | 'InvoiceIssued';
