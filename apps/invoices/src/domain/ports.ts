import type { Invoice } from './invoice.ts';

// Every port of the invoices service: what the domain needs from outside, implemented in
// src/adapters. The bus is a port of the shared library.
export type { EventPublisher } from '@shop/shared/event-bus';

/** Where invoices live. One invoice per order: the id is derived from the order id. */
export interface InvoicesStore {
  get(invoiceId: string): Promise<Invoice | undefined>;
  /** Stores the invoice unless its id is taken; returns the stored one, never overwriting it. */
  putIfAbsent(invoice: Invoice): Promise<Invoice>;
}
