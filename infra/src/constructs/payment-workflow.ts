import { COMMANDS } from '@shop/contracts/commands';
import { type EveryDataField, envelopeOf } from '@shop/contracts/envelope';
import { EVENTS, type EventDefinition } from '@shop/contracts/events';
import type { CompensationAction } from '@shop/contracts/payment-outcomes';
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { physicalName, type StageConfig } from '../stages.ts';

export interface PaymentWorkflowProps {
  readonly stage: StageConfig;
  readonly paymentsTable: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly invoiceRequestsQueue: sqs.IQueue;
  readonly authorize: lambda.IFunction;
  readonly capture: lambda.IFunction;
  /** The compensation of a capture that failed or timed out: refunds the order's capture attempt. */
  readonly refund: lambda.IFunction;
  readonly awaitBankTransfer: lambda.IFunction;
  readonly alarmTopic: sns.ITopic;
}

// Error names the task functions throw (apps/payments/src/domain) and the workflow retries or catches.
const PROVIDER_UNAVAILABLE = 'ProviderUnavailableError';
const CARD_DECLINED = 'CardDeclinedError';
/** The error cancel-payment fails a waiting bank transfer with (SendTaskFailure): the event's name. */
const ORDER_CANCELLED = EVENTS.OrderCancelled.type;
const CONDITIONAL_CHECK_FAILED = 'DynamoDB.ConditionalCheckFailedException';
/** Lambda's own transient failures (AWS's guidance for every Lambda task), and a function that ran out of time. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Sandbox.Timedout',
];

const { stringAt, numberAt } = sfn.JsonPath;
const S = (value: string) => tasks.DynamoAttributeValue.fromString(value);
const now = () => S(sfn.JsonPath.stateEnteredTime);
/** DynamoDB's JSON carries numbers as strings; the events' schemas want integers. */
const attemptsOf = { 'attempts.$': 'States.StringToJson($.Attributes.attempts.N)' };

/**
 * The payment of one order, as a Standard workflow (it may wait days for a bank transfer), in
 * JSONPath without variables: the local cloud's emulator runs exactly this definition, and it
 * supports neither JSONata nor Assign. The payment's state lives in the Payments table and is
 * written by the workflow's own DynamoDB steps; facts leave through EventBridge, work through SQS.
 *
 * Input: the RequestPayment command's data and its correlation id,
 * `{ orderId, customerId, amount, currency, items, payment: { method, token? }, correlationId }`.
 */
export class PaymentWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly failureAlarm: cloudwatch.Alarm;
  /** The functions the workflow invokes: their invoke permission is on the state machine's role. */
  readonly invokedFunctions: readonly lambda.IFunction[];

  constructor(scope: Construct, id: string, props: PaymentWorkflowProps) {
    super(scope, id);
    const { stage, paymentsTable: table } = props;
    this.invokedFunctions = [props.authorize, props.capture, props.refund, props.awaitBankTransfer];

    // A CANCELLED tombstone from cancel-payment, or a repeated start, makes this write fail: the
    // order was settled without this execution. The same execution may write it again (a task is
    // at-least-once: a retry after a lost answer, or a local cloud resumed after a crash), as long
    // as nothing has moved the payment on.
    const recordAttempt = tasks.DynamoPutItem.jsonPath(this, 'RecordAttempt', {
      table,
      item: {
        orderId: S(stringAt('$.orderId')),
        status: S('STARTED'),
        method: S(stringAt('$.payment.method')),
        amount: tasks.DynamoAttributeValue.numberFromString(sfn.JsonPath.jsonToString(numberAt('$.amount'))),
        currency: S(stringAt('$.currency')),
        attempts: tasks.DynamoAttributeValue.fromNumber(0),
        execution: S(sfn.JsonPath.executionId),
        updatedAt: now(),
      },
      conditionExpression:
        'attribute_not_exists(orderId) OR (#execution = :execution AND #status = :started AND attempts = :none)',
      expressionAttributeNames: { '#execution': 'execution', '#status': 'status' },
      expressionAttributeValues: {
        ':execution': S(sfn.JsonPath.executionId),
        ':started': S('STARTED'),
        ':none': tasks.DynamoAttributeValue.fromNumber(0),
      },
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientErrors(recordAttempt, [CONDITIONAL_CHECK_FAILED]);
    recordAttempt.addCatch(sfn.Succeed.jsonPath(this, 'AlreadyHandled'), {
      errors: [CONDITIONAL_CHECK_FAILED],
      resultPath: sfn.JsonPath.DISCARD,
    });

    // A failure before the capture took no money, so it needs no compensation
    // (docs/adr/0011-refund-the-capture-attempt-of-a-failed-capture.md).
    const failure = this.failurePath(props);
    const declined = failure('CardDeclined', 'card_declined');
    const providerUnavailable = failure('ProviderUnavailable', 'provider_unavailable');
    const transferTimedOut = failure('BankTransferTimedOut', 'bank_transfer_timeout');
    // cancel-payment has already marked the payment CANCELLED: it stays so.
    const cancelled = failure('PaymentCancelled', 'cancelled', 'CANCELLED');
    const captureFailed = this.captureCompensation(props, failure);

    const authorize = tasks.LambdaInvoke.jsonPath(this, 'Authorize', {
      lambdaFunction: props.authorize,
      payload: paymentTaskInput({ token: stringAt('$.payment.token') }),
      payloadResponseOnly: true,
      resultPath: '$.authorization',
    });
    retryProviderUnavailable(authorize);
    retryLambdaServiceErrors(authorize);
    authorize.addCatch(declined, { errors: [CARD_DECLINED], resultPath: '$.error' });
    authorize.addCatch(providerUnavailable, { errors: [PROVIDER_UNAVAILABLE], resultPath: '$.error' });
    // Anything else, once its retries are spent, fails the payment rather than the execution: a
    // failed execution would leave the order PENDING_PAYMENT for good.
    authorize.addCatch(providerUnavailable, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const awaitBankTransfer = tasks.LambdaInvoke.jsonPath(this, 'AwaitBankTransfer', {
      lambdaFunction: props.awaitBankTransfer,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: sfn.TaskInput.fromObject({
        orderId: stringAt('$.orderId'),
        taskToken: sfn.JsonPath.taskToken,
        correlationId: stringAt('$.correlationId'),
      }),
      taskTimeout: sfn.Timeout.duration(stage.bankTransferTimeout),
      resultPath: '$.transfer',
    });
    retryLambdaServiceErrors(awaitBankTransfer);
    awaitBankTransfer.addCatch(transferTimedOut, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.error' });
    awaitBankTransfer.addCatch(cancelled, { errors: [ORDER_CANCELLED], resultPath: '$.error' });
    awaitBankTransfer.addCatch(providerUnavailable, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    // Two capture states rather than one: a card capture passes its authorization, a transfer has
    // none, and a JSONPath payload cannot leave a field out.
    const capture = (captureId: string, authorizationId?: string) => {
      const task = tasks.LambdaInvoke.jsonPath(this, captureId, {
        lambdaFunction: props.capture,
        payload: paymentTaskInput({
          method: stringAt('$.payment.method'),
          ...(authorizationId ? { authorizationId } : {}),
        }),
        payloadResponseOnly: true,
        resultPath: '$.capture',
      });
      retryProviderUnavailable(task);
      retryLambdaServiceErrors(task);
      // Whatever the error once the retries are spent: a capture that timed out may have been made.
      task.addCatch(captureFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
      return task;
    };

    const recordCapture = tasks.DynamoUpdateItem.jsonPath(this, 'RecordCapture', {
      table,
      key: { orderId: S(stringAt('$.orderId')) },
      updateExpression: 'SET #status = :captured, captureId = :captureId, updatedAt = :updatedAt',
      // Or already recorded, with this capture: the step ran again after its write (at-least-once).
      conditionExpression:
        '#status IN (:started, :confirmed) OR (#status = :captured AND captureId = :captureId)',
      expressionAttributeNames: { '#status': 'status' },
      expressionAttributeValues: {
        ':captured': S('CAPTURED'),
        ':captureId': S(stringAt('$.capture.captureId')),
        ':updatedAt': now(),
        ':started': S('STARTED'),
        ':confirmed': S('TRANSFER_CONFIRMED'),
      },
      returnValues: tasks.DynamoReturnValues.ALL_NEW,
      resultSelector: attemptsOf,
      resultPath: '$.captured',
    });
    retryTransientErrors(recordCapture, [CONDITIONAL_CHECK_FAILED]);

    const publishCaptured = this.publish('PublishPaymentCaptured', props.eventBus, EVENTS.PaymentCaptured, {
      orderId: stringAt('$.orderId'),
      captureId: stringAt('$.capture.captureId'),
      amount: numberAt('$.amount'),
      currency: stringAt('$.currency'),
      attempts: numberAt('$.captured.attempts'),
    });

    const requestInvoice = tasks.SqsSendMessage.jsonPath(this, 'RequestInvoice', {
      queue: props.invoiceRequestsQueue,
      messageBody: sfn.TaskInput.fromObject(
        envelopeOf(COMMANDS.IssueInvoice, {
          id: sfn.JsonPath.uuid(),
          correlationId: stringAt('$.correlationId'),
          data: {
            orderId: stringAt('$.orderId'),
            customerId: stringAt('$.customerId'),
            currency: stringAt('$.currency'),
            items: sfn.JsonPath.listAt('$.items'),
            captureId: stringAt('$.capture.captureId'),
          } satisfies EveryDataField<typeof COMMANDS.IssueInvoice, unknown>,
        }),
      ),
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientErrors(requestInvoice);

    const settle = recordCapture
      .next(publishCaptured)
      .next(requestInvoice)
      .next(sfn.Succeed.jsonPath(this, 'PaymentCompleted'));

    const definition = recordAttempt.next(
      sfn.Choice.jsonPath(this, 'PaymentMethod')
        .when(
          sfn.Condition.stringEquals('$.payment.method', 'card'),
          authorize.next(capture('CaptureCard', stringAt('$.authorization.authorizationId')).next(settle)),
        )
        .when(
          sfn.Condition.stringEquals('$.payment.method', 'bank_transfer'),
          awaitBankTransfer.next(capture('CaptureBankTransfer').next(settle)),
        )
        .otherwise(
          sfn.Fail.jsonPath(this, 'UnsupportedPaymentMethod', {
            error: 'UnsupportedPaymentMethod',
            cause: `${COMMANDS.RequestPayment.type} allows card and bank_transfer only`,
          }),
        ),
    );

    const stateMachineName = physicalName(stage, 'payment-workflow');
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      // The /aws/vendedlogs/ prefix keeps CloudWatch Logs' resource policy from growing per log group.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: stage.logRetention,
      removalPolicy: stage.removal,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment:
        'The payment of one order: authorize or await a transfer, capture, announce, request the invoice; ' +
        'refund a capture that failed.',
      tracingEnabled: true,
      // Every event, but without execution data: the input carries the card's payment token.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      removalPolicy: stage.removal,
    });

    this.failureAlarm = this.createFailureAlarm(stage, props.alarmTopic);
  }

  /**
   * A declined card or an expired transfer is an outcome, not an incident: record it on the payment
   * with its compensation (reading back the attempts), tell the orders service, and end the
   * execution as failed. Returns a factory of the entry states, one per reason and compensation,
   * all leading to that one path; by default no compensation was needed.
   */
  private failurePath(props: PaymentWorkflowProps): FailureEntry {
    const recordFailure = tasks.DynamoUpdateItem.jsonPath(this, 'RecordFailure', {
      table: props.paymentsTable,
      key: { orderId: S(stringAt('$.orderId')) },
      // Whatever the status was: the workflow has stopped waiting, so a confirmation that comes
      // after the timeout finds the payment settled and is refused.
      updateExpression:
        'SET #status = :status, #reason = :reason, compensation = :compensation, updatedAt = :updatedAt',
      conditionExpression: 'attribute_exists(orderId)',
      expressionAttributeNames: { '#status': 'status', '#reason': 'reason' },
      expressionAttributeValues: {
        ':status': S(stringAt('$.failure.status')),
        ':reason': S(stringAt('$.failure.reason')),
        ':compensation': tasks.DynamoAttributeValue.mapFromJsonPath('$.failure.compensationItem'),
        ':updatedAt': now(),
      },
      returnValues: tasks.DynamoReturnValues.ALL_NEW,
      resultSelector: attemptsOf,
      resultPath: '$.failed',
    });
    retryTransientErrors(recordFailure, [CONDITIONAL_CHECK_FAILED]);
    recordFailure
      .next(
        this.publish('PublishPaymentFailed', props.eventBus, EVENTS.PaymentFailed, {
          orderId: stringAt('$.orderId'),
          reason: stringAt('$.failure.reason'),
          attempts: numberAt('$.failed.attempts'),
          compensation: sfn.JsonPath.objectAt('$.failure.compensation'),
        }),
      )
      .next(
        // The execution ends failed, under the name of the event it published.
        sfn.Fail.jsonPath(this, EVENTS.PaymentFailed.type, {
          error: EVENTS.PaymentFailed.type,
          cause: 'The payment failed; see its reason in the Payments table',
        }),
      );

    return (id, reason, status = 'FAILED', compensation = { action: 'none_needed' }) => {
      const fields = { reason, status, ...compensationFields(compensation) };
      // A fixed failure is a Result; one that reads the state's input (a refund id) is Parameters.
      const entry = compensation.refundId
        ? sfn.Pass.jsonPath(this, id, { parameters: fields, resultPath: '$.failure' })
        : sfn.Pass.jsonPath(this, id, { result: sfn.Result.fromObject(fields), resultPath: '$.failure' });
      entry.next(recordFailure);
      return entry;
    };
  }

  /**
   * Refunds the order's capture attempt of a capture that failed for good, which may still have been
   * made, then records the failure with the refund, or `refund_failed`, as its compensation
   * (docs/adr/0011-refund-the-capture-attempt-of-a-failed-capture.md).
   */
  private captureCompensation(props: PaymentWorkflowProps, failure: FailureEntry): sfn.IChainable {
    const refund = tasks.LambdaInvoke.jsonPath(this, 'RefundCaptureAttempt', {
      lambdaFunction: props.refund,
      // No captureId: the capture's answer never came. The order identifies its capture attempt.
      payload: paymentTaskInput(),
      payloadResponseOnly: true,
      resultPath: '$.refund',
    });
    // 2 s, doubling, full jitter, each wait capped at a minute: 7 calls within about 2 minutes of waits.
    refund.addRetry({
      errors: [PROVIDER_UNAVAILABLE, ...LAMBDA_SERVICE_ERRORS],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(60),
      jitterStrategy: sfn.JitterType.FULL,
    });
    refund.addCatch(
      failure('CaptureRefundFailed', 'provider_unavailable', 'FAILED', { action: 'refund_failed' }),
      { errors: [sfn.Errors.ALL], resultPath: '$.refundError' },
    );
    refund.next(
      failure('CaptureRefunded', 'provider_unavailable', 'FAILED', {
        action: 'refunded',
        refundId: stringAt('$.refund.refundId'),
      }),
    );
    return refund;
  }

  /** PutEvents of one domain event, with its contract's source, detail-type and envelope. */
  private publish<TEvent extends EventDefinition>(
    id: string,
    bus: events.IEventBus,
    event: TEvent,
    data: EveryDataField<TEvent, unknown>,
  ): tasks.EventBridgePutEvents {
    const task = tasks.EventBridgePutEvents.jsonPath(this, id, {
      entries: [
        {
          eventBus: bus,
          source: event.source,
          detailType: event.type,
          detail: sfn.TaskInput.fromObject(
            envelopeOf(event, {
              id: sfn.JsonPath.uuid(),
              occurredAt: sfn.JsonPath.stateEnteredTime,
              correlationId: stringAt('$.correlationId'),
              data,
            }),
          ),
        },
      ],
      resultPath: sfn.JsonPath.DISCARD,
    });
    retryTransientErrors(task);
    return task;
  }

  /**
   * Failed executions include the expected ones (a declined card ends in PaymentFailed), so the
   * alarm is on the share of executions that fail, once there are enough of them to judge.
   */
  private createFailureAlarm(stage: StageConfig, topic: sns.ITopic): cloudwatch.Alarm {
    const period = Duration.minutes(15);
    const failed = this.stateMachine.metricFailed({ period, statistic: cloudwatch.Stats.SUM });
    const timedOut = this.stateMachine.metricTimedOut({ period, statistic: cloudwatch.Stats.SUM });
    const aborted = this.stateMachine.metricAborted({ period, statistic: cloudwatch.Stats.SUM });
    const succeeded = this.stateMachine.metricSucceeded({ period, statistic: cloudwatch.Stats.SUM });
    const alarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmName: physicalName(stage, 'payment-workflow-failures'),
      alarmDescription:
        'More than half of the payment workflow executions that ended in 15 minutes failed (at least 5), ' +
        'or one timed out or was aborted.',
      metric: new cloudwatch.MathExpression({
        expression:
          'IF(timedOut + aborted > 0, 100, IF(failed >= 5, 100 * failed / (failed + succeeded), 0))',
        usingMetrics: { failed, timedOut, aborted, succeeded },
        period,
        label: 'Failed executions (%)',
      }),
      threshold: 50,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    return alarm;
  }
}

/** What the provider's tasks are given: the order's payment, its own fields, the correlation id. */
function paymentTaskInput(fields: Record<string, unknown> = {}): sfn.TaskInput {
  return sfn.TaskInput.fromObject({
    orderId: stringAt('$.orderId'),
    amount: numberAt('$.amount'),
    currency: stringAt('$.currency'),
    ...fields,
    correlationId: stringAt('$.correlationId'),
  });
}

interface CompensationSpec {
  readonly action: CompensationAction;
  /** A JSONPath to the refund's id in the state's input. */
  readonly refundId?: string;
}
type FailureEntry = (
  id: string,
  reason: string,
  status?: 'FAILED' | 'CANCELLED',
  compensation?: CompensationSpec,
) => sfn.Pass;

/**
 * A compensation twice: as PaymentFailed's data carries it (`compensation`, @shop/contracts/events),
 * and as DynamoDB's JSON for the Payments item (`compensationItem`): without variables or JSONata,
 * the update's map value has to be in the state's input already typed.
 */
function compensationFields({ action, refundId }: CompensationSpec) {
  return {
    compensation: { action, ...(refundId ? { refundId } : {}) },
    compensationItem: { action: { S: action }, ...(refundId ? { refundId: { S: refundId } } : {}) },
  };
}

/** The provider's transient failures: 1 s, then doubling with full jitter; 4 retries, so 5 calls. */
function retryProviderUnavailable(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: [PROVIDER_UNAVAILABLE],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 4,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * Lambda's own transient failures, and a function that ran out of time (Sandbox.Timedout: a slow
 * cold start, a provider that hangs): 3 retries with backoff.
 */
function retryLambdaServiceErrors(task: sfn.TaskStateBase): void {
  task.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
}

/**
 * Throttling or a brief outage of DynamoDB, EventBridge or SQS should not fail a payment. Errors
 * in `final` are outcomes the state handles (a failed condition): a retrier with 0 attempts that
 * comes first keeps them from being retried.
 */
function retryTransientErrors(task: sfn.TaskStateBase, final: string[] = []): void {
  if (final.length > 0) task.addRetry({ errors: final, maxAttempts: 0 });
  task.addRetry({
    errors: [sfn.Errors.ALL],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
}
