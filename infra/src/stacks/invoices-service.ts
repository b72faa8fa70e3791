import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PARAMETERS, publishParameter } from '../parameters.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/**
 * Invoices: one invoice per paid order, issued from the invoice-requests queue (its inbox, fed by the
 * payment workflow), and GET /invoices/{invoiceId}, which the HTTP API of the orders stack routes to
 * the function published here. Deployed before payments, which sends to the queue.
 */
export class InvoicesService extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, 'invoices', props);
    const { stage, data } = this;
    const invoicesTable = data.table('invoices');

    const consumerTimeout = Duration.seconds(30);
    const invoiceRequests = this.addQueue('InvoiceRequestsQueue', {
      name: COMMANDS.IssueInvoice.queue,
      consumerTimeout,
      holds: `\`${COMMANDS.IssueInvoice.type}\` commands: paid orders with no invoice (they stay \`PAID\`)`,
    });
    const issueInvoice = this.addFunction('IssueInvoiceFunction', {
      handler: 'issue-invoice',
      description: `Issues the invoice of a paid order (${COMMANDS.IssueInvoice.type} from ${COMMANDS.IssueInvoice.queue}) and announces ${EVENTS.InvoiceIssued.type}.`,
      invokedBy: `the ${invoiceRequests.name} queue: \`${COMMANDS.IssueInvoice.type}\` from the payment workflow`,
      failureMeans: 'paid orders are not getting invoices',
      timeout: consumerTimeout,
      reservedConcurrency: stage.reservedConcurrency,
      environment: { TAX_RATE_BASIS_POINTS: String(stage.taxRateBasisPoints) },
    })
      .bindTable(invoicesTable, 'readWrite')
      .bindEventBus(data.eventBus)
      .consume(invoiceRequests, { batchSize: 10 });

    const getInvoice = this.addFunction('GetInvoiceFunction', {
      handler: 'get-invoice',
      description: 'GET /invoices/{invoiceId}',
      invokedBy: '`GET /invoices/{invoiceId}`',
      failureMeans: 'invoice reads fail: the client got a 500',
    }).bindTable(invoicesTable, 'read');

    publishParameter(this, stage, PARAMETERS.invoiceRequestsQueueUrl, invoiceRequests.queue.queueUrl);
    publishParameter(this, stage, PARAMETERS.invoiceRequestsQueueArn, invoiceRequests.queue.queueArn);
    publishParameter(this, stage, PARAMETERS.getInvoiceFunctionArn, getInvoice.target.functionArn);
    // Disabling it holds paid orders before their invoice: docs/runbook.md, and the suite's cancel of a paid order.
    publishParameter(
      this,
      stage,
      PARAMETERS.invoiceRequestsEventSourceMappingId,
      issueInvoice.eventSourceMappingIdOf(invoiceRequests),
    );
    this.addDashboard();
  }
}
