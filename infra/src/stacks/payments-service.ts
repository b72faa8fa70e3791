import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { ArnFormat, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { PaymentWorkflow } from '../constructs/payment-workflow.ts';
import { PARAMETERS, publishParameter, readParameter } from '../parameters.ts';
import { physicalName } from '../stages.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/**
 * Payments: the payment-requests queue (its inbox: orders sends RequestPayment), the PaymentWorkflow
 * and its task functions, the bank's signed transfer webhook behind POST /webhooks/bank-transfers,
 * and cancellations from OrderCancelled events. Deployed after invoices (the workflow sends to the
 * invoice-requests queue) and identity (the webhook's signing secret), and before orders (which
 * sends to payment-requests).
 */
export class PaymentsService extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, 'payments', props);
    const { stage, data } = this;
    const paymentsTable = data.table('payments');
    const consumerTimeout = Duration.seconds(30);

    const invoiceRequests = sqs.Queue.fromQueueAttributes(this, 'InvoiceRequestsQueue', {
      queueArn: readParameter(this, stage, PARAMETERS.invoiceRequestsQueueArn),
      queueUrl: readParameter(this, stage, PARAMETERS.invoiceRequestsQueueUrl),
    });

    // Task functions: the workflow retries and catches the errors they throw by name, so a
    // declined card is an error here and the alarms judge these functions by their error rate.
    const authorize = this.addFunction('AuthorizeFunction', {
      handler: 'authorize',
      description:
        'PaymentWorkflow task: one authorization attempt of a card payment, counted in the Payments table.',
      invokedBy: "the payment workflow's `Authorize` state",
      failureMeans:
        'one failure is an answer the workflow handles (a declined card, or a provider outage it retries); ' +
        "most of them failing means the payment provider is down or refusing most cards: check the provider's status",
      errorRateAlarmPercent: 50,
    }).bindTable(paymentsTable, 'readWrite');
    const capture = this.addFunction('CaptureFunction', {
      handler: 'capture',
      description: 'PaymentWorkflow task: captures an authorized card payment or a confirmed transfer.',
      invokedBy: "the payment workflow's `CaptureCard` and `CaptureBankTransfer` states",
      failureMeans:
        'captures fail after authorization: authorized payments end as `provider_unavailable`, each with ' +
        'its capture attempt refunded (`compensation: refunded`)',
      errorRateAlarmPercent: 50,
    });
    const awaitBankTransfer = this.addFunction('AwaitBankTransferFunction', {
      handler: 'await-bank-transfer',
      description: 'PaymentWorkflow task: keeps the task token the workflow waits on for a bank transfer.',
      invokedBy: "the payment workflow's `AwaitBankTransfer` state",
      failureMeans: 'a bank-transfer payment could not record its task token; its execution fails',
    }).bindTable(paymentsTable, 'readWrite');
    // The compensation of a failed capture; it alarms on any error, not on an error rate
    // (docs/adr/0011-refund-the-capture-attempt-of-a-failed-capture.md). cancel-payment refunds
    // through the provider port itself: no function invokes another (ADR 0003).
    const refund = this.addFunction('RefundFunction', {
      handler: 'refund',
      description:
        'PaymentWorkflow task: refunds the capture attempt of a failed capture (idempotent per capture).',
      invokedBy:
        "the payment workflow's `RefundCaptureAttempt` state: the compensation of a capture that failed or timed out",
      failureMeans:
        'a refund attempt failed; the workflow retries it (7 calls in about 2 minutes). If the last one fails ' +
        'too, the order ends `PAYMENT_FAILED` with `compensation: {action: "refund_failed"}` and money may ' +
        'have been taken: a person refunds it',
    });

    const workflow = new PaymentWorkflow(this, 'PaymentWorkflow', {
      stage,
      paymentsTable: paymentsTable.table,
      eventBus: data.eventBus,
      invoiceRequestsQueue: invoiceRequests,
      authorize: authorize.target,
      capture: capture.target,
      refund: refund.target,
      awaitBankTransfer: awaitBankTransfer.target,
      alarmTopic: data.alarmTopic,
    });

    // A wait step that runs again after the transfer was confirmed answers its own new token. The
    // grant names the state machine by its ARN, spelled out: a reference would be a dependency
    // cycle (the state machine's role already names this function).
    awaitBankTransfer.bindStateMachineForTaskResponses(
      sfn.StateMachine.fromStateMachineArn(
        this,
        'PaymentWorkflowByName',
        this.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: physicalName(stage, 'payment-workflow'),
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    );

    const paymentRequests = this.addQueue('PaymentRequestsQueue', {
      name: COMMANDS.RequestPayment.queue,
      consumerTimeout,
      holds: `\`${COMMANDS.RequestPayment.type}\` commands: orders whose payment never started (they stay \`PENDING_PAYMENT\`)`,
    });
    this.addFunction('StartPaymentFunction', {
      handler: 'start-payment',
      description: `Starts the PaymentWorkflow of each ${COMMANDS.RequestPayment.type} command (execution name = order id).`,
      invokedBy: `the ${paymentRequests.name} queue: \`${COMMANDS.RequestPayment.type}\` from the orders service`,
      failureMeans: 'payments are not starting: orders wait in `PENDING_PAYMENT`',
      timeout: consumerTimeout,
      reservedConcurrency: stage.reservedConcurrency,
    })
      .bindStateMachineForStarting(workflow.stateMachine, 'PAYMENT_WORKFLOW_ARN')
      .consume(paymentRequests, {
        // Up to 10 commands per invocation drain a burst with a tenth of the invocations (each
        // StartExecution takes tens of milliseconds, far inside the timeout). No batching window:
        // it would hold back every payment to save invocations that cost fractions of a cent.
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
      });

    const paymentCancellations = this.addQueue('PaymentCancellationsQueue', {
      name: 'payment-cancellations',
      consumerTimeout,
      holds: `\`${EVENTS.OrderCancelled.type}\` events whose payment was not stopped or refunded`,
    });
    this.subscribe('PaymentCancellationsRule', paymentCancellations, [EVENTS.OrderCancelled]);
    this.addFunction('CancelPaymentFunction', {
      handler: 'cancel-payment',
      description: `Applies ${EVENTS.OrderCancelled.type}: fails a waiting bank transfer, or refunds a capture and announces ${EVENTS.PaymentRefunded.type}.`,
      invokedBy: `the ${paymentCancellations.name} queue: \`${EVENTS.OrderCancelled.type}\` from the bus`,
      failureMeans: 'cancelled orders are not stopping their transfer or refunding their capture',
      timeout: consumerTimeout,
      reservedConcurrency: stage.reservedConcurrency,
    })
      .bindTable(paymentsTable, 'readWrite')
      .bindEventBus(data.eventBus)
      .bindStateMachineForTaskResponses(workflow.stateMachine)
      .consume(paymentCancellations, { batchSize: 10 });

    const confirmBankTransfer = this.addFunction('ConfirmBankTransferFunction', {
      handler: 'confirm-bank-transfer',
      description:
        "POST /webhooks/bank-transfers: the bank's signed transfer notice (Standard Webhooks); resumes the waiting workflow.",
      invokedBy: '`POST /webhooks/bank-transfers`: the bank, signing each call',
      failureMeans:
        "the bank's webhook got a 500 and the transfer still waits; the bank retries, and a repeated notice " +
        '(same reference) is safe. A missing or unreadable webhook secret fails every call',
    })
      .bindTable(paymentsTable, 'readWrite')
      .bindStateMachineForTaskResponses(workflow.stateMachine)
      .bindSecret(data.bankWebhookSecret, 'BANK_WEBHOOK_SECRET_ARN');
    confirmBankTransfer.alarmOnMetric('MismatchAlarm', {
      metricName: 'BankTransferMismatch',
      name: 'mismatch',
      description:
        'a bank transfer did not match its payment (amount or currency) and was refused: a person settles it with the customer',
      threshold: 1,
      period: Duration.minutes(1),
    });
    // A sender retrying one delivery signed with an old secret, or someone probing the public route;
    // a stray request or two is not worth a page.
    confirmBankTransfer.alarmOnMetric('SignatureRejectedAlarm', {
      metricName: 'WebhookSignatureRejected',
      name: 'signature-rejected',
      description:
        'five or more bank webhooks in 5 minutes had a missing, invalid or expired signature (secret out of step with the bank, or probing)',
      threshold: 5,
      period: Duration.minutes(5),
    });

    publishParameter(this, stage, PARAMETERS.paymentRequestsQueueUrl, paymentRequests.queue.queueUrl);
    publishParameter(this, stage, PARAMETERS.paymentRequestsQueueArn, paymentRequests.queue.queueArn);
    publishParameter(
      this,
      stage,
      PARAMETERS.confirmBankTransferFunctionArn,
      confirmBankTransfer.target.functionArn,
    );

    const { stateMachine } = workflow;
    this.addDashboard([
      [
        new cloudwatch.GraphWidget({
          title: 'PaymentWorkflow executions',
          width: 16,
          left: [
            stateMachine.metricStarted({ label: 'Started' }),
            stateMachine.metricSucceeded({ label: 'Succeeded' }),
            stateMachine.metricFailed({ label: 'Failed (payment failed or error)' }),
            stateMachine.metricTimedOut({ label: 'Timed out' }),
          ],
        }),
        new cloudwatch.AlarmStatusWidget({
          title: 'PaymentWorkflow',
          width: 8,
          alarms: [workflow.failureAlarm],
        }),
      ],
    ]);
  }
}
