import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@shop/shared/aws-clients';
import type { InvokeResult, LambdaInvoker, LogEntry } from '../../src/contracts.ts';
import {
  createStepFunctionsService,
  type PutEventsEntry,
  type StateMachineSource,
  type StepFunctionsService,
  type StepFunctionsServiceOptions,
} from '../../src/stepfunctions/stepfunctions-service.ts';

/** Shared by the Step Functions tests: a payment-shaped workflow, small functions, and helpers. */
export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const stateMachineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/shop-bus`;

export type Definition = Record<string, unknown>;

/** A Lambda handler of the in-memory invoker: throw an error with a `name` to fail like Lambda. */
export type LocalFunction = (event: unknown) => unknown;

export interface RecordingInvoker extends LambdaInvoker {
  calls: { functionName: string; event: unknown }[];
  callsOf(functionName: string): unknown[];
}

/** The local cloud's invoker is this part's input: here, plain functions called in process. */
export function inMemoryInvoker(functions: Record<string, LocalFunction>): RecordingInvoker {
  const calls: { functionName: string; event: unknown }[] = [];
  return {
    calls,
    callsOf: (functionName) =>
      calls.filter((call) => call.functionName === functionName).map((call) => call.event),
    async invoke(functionName, event): Promise<InvokeResult> {
      calls.push({ functionName, event });
      const run = functions[functionName];
      if (!run) throw new Error(`No function ${functionName}`);
      try {
        return { ok: true, payload: await run(event) };
      } catch (error) {
        const { name, message } = error as Error;
        return { ok: false, error: { errorType: name, errorMessage: message } };
      }
    },
  };
}

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Resolves Lambda ARNs of the functions the test defines, like the wiring does from the template. */
export function functionNames(functions: Record<string, LocalFunction>): (arn: string) => string | undefined {
  return (arn) => {
    const name = arn.split(':function:')[1]?.split(':')[0];
    return name !== undefined && name in functions ? name : undefined;
  };
}

export interface CapturedEvents {
  entries: PutEventsEntry[];
  putEvents: StepFunctionsServiceOptions['putEvents'];
}

/** The caller's EventBridge, in memory: every entry accepted and kept. */
export function capturedEvents(): CapturedEvents {
  const entries: PutEventsEntry[] = [];
  return {
    entries,
    async putEvents(batch) {
      entries.push(...batch);
      return { FailedEntryCount: 0, Entries: batch.map(() => ({ EventId: randomUUID() })) };
    },
  };
}

export interface TestService {
  service: StepFunctionsService;
  sfn: SFNClient;
  logs: LogEntry[];
  stop(): Promise<void>;
}

/** The service with real DynamoDB and SQS clients on the emulators, and an SFNClient on its endpoint. */
export async function startTestService(
  options: Pick<StepFunctionsServiceOptions, 'invoker' | 'functionNameFromArn' | 'putEvents'> & {
    stateMachines: StateMachineSource[];
    retryIntervalScale?: number;
    taskTimeoutScale?: number;
    persistDir?: string;
  },
): Promise<TestService> {
  const dynamodb = new DynamoDBClient(awsClientConfig('dynamodb'));
  const sqs = new SQSClient(awsClientConfig('sqs'));
  const logs: LogEntry[] = [];
  const service = await createStepFunctionsService({
    ...options,
    clients: { dynamodb, sqs },
    log: (entry) => logs.push(entry),
    region: REGION,
    accountId: ACCOUNT,
  });
  const sfn = new SFNClient({
    endpoint: service.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    service,
    sfn,
    logs,
    async stop() {
      sfn.destroy();
      await service.stop();
      dynamodb.destroy();
      sqs.destroy();
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after the deadline. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts, awaits and reads executions through the real client, as the tests ask of them. */
export function executionsOf(sfn: SFNClient) {
  return {
    async start(stateMachineArn: string, input: unknown = {}, name = randomUUID()): Promise<string> {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return executionArn as string;
    },
    /** DescribeExecution, once the execution has ended. */
    ended(executionArn: string, timeoutMs = 15_000) {
      return eventually(async () => {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return execution.status === 'RUNNING' ? undefined : execution;
      }, timeoutMs);
    },
    async history(executionArn: string): Promise<HistoryEvent[]> {
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      return events;
    },
  };
}

const S = (path: string) => ({ 'S.$': path });
const failureEntry = (reason: string) => ({
  Type: 'Pass',
  Result: { reason },
  ResultPath: '$.failure',
  Next: 'RecordFailure',
});

/**
 * A hand-written payment workflow shaped like the app's (infra synthesizes the real one): record
 * the attempt (conditional put), choose by method, authorize with retries and catches or wait for a
 * bank transfer's callback, capture, record, announce, request the invoice; failures are recorded,
 * announced, and end in a Fail state.
 */
export function paymentWorkflow(resources: { tableName: string; queueUrl: string }): Definition {
  return {
    Comment: 'The payment of one order',
    QueryLanguage: 'JSONPath',
    StartAt: 'RecordAttempt',
    States: {
      RecordAttempt: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:putItem',
        Parameters: {
          TableName: resources.tableName,
          Item: {
            orderId: S('$.orderId'),
            status: { S: 'STARTED' },
            updatedAt: S('$$.State.EnteredTime'),
          },
          ConditionExpression: 'attribute_not_exists(orderId)',
        },
        ResultPath: null,
        Retry: [
          { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], MaxAttempts: 0 },
          { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 },
        ],
        Catch: [
          {
            ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
            ResultPath: '$.error',
            Next: 'AlreadyHandled',
          },
        ],
        Next: 'PaymentMethod',
      },
      AlreadyHandled: { Type: 'Succeed' },
      PaymentMethod: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.payment.method', StringEquals: 'card', Next: 'Authorize' },
          { Variable: '$.payment.method', StringEquals: 'bank_transfer', Next: 'AwaitBankTransfer' },
        ],
        Default: 'UnsupportedPaymentMethod',
      },
      UnsupportedPaymentMethod: {
        Type: 'Fail',
        Error: 'UnsupportedPaymentMethod',
        Cause: 'card or bank_transfer',
      },
      Authorize: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: {
          FunctionName: functionArn('AuthorizeFunction'),
          Payload: {
            'orderId.$': '$.orderId',
            'token.$': '$.payment.token',
            'retryCount.$': '$$.State.RetryCount',
          },
        },
        ResultSelector: { 'authorizationId.$': '$.Payload.authorizationId' },
        ResultPath: '$.authorization',
        Retry: [
          {
            ErrorEquals: ['ProviderUnavailableError'],
            IntervalSeconds: 1,
            BackoffRate: 2,
            MaxAttempts: 3,
            JitterStrategy: 'FULL',
          },
        ],
        Catch: [
          { ErrorEquals: ['CardDeclinedError'], ResultPath: '$.error', Next: 'CardDeclined' },
          { ErrorEquals: ['ProviderUnavailableError'], ResultPath: '$.error', Next: 'ProviderUnavailable' },
        ],
        Next: 'Capture',
      },
      AwaitBankTransfer: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: functionArn('AwaitBankTransferFunction'),
          Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' },
        },
        TimeoutSeconds: 60,
        ResultPath: '$.transfer',
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'BankTransferTimedOut' },
          { ErrorEquals: ['CheckoutCancelled'], ResultPath: '$.error', Next: 'PaymentCancelled' },
        ],
        Next: 'Capture',
      },
      Capture: {
        Type: 'Task',
        Resource: functionArn('CaptureFunction'),
        Parameters: { 'orderId.$': '$.orderId', 'method.$': '$.payment.method' },
        ResultPath: '$.capture',
        Next: 'RecordCapture',
      },
      RecordCapture: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Parameters: {
          TableName: resources.tableName,
          Key: { orderId: S('$.orderId') },
          UpdateExpression: 'SET #status = :captured, captureId = :captureId',
          ConditionExpression: '#status = :started',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':captured': { S: 'CAPTURED' },
            ':started': { S: 'STARTED' },
            ':captureId': S('$.capture.captureId'),
          },
          ReturnValues: 'ALL_NEW',
        },
        ResultSelector: { 'status.$': '$.Attributes.status.S' },
        ResultPath: '$.captured',
        Next: 'PublishPaymentCaptured',
      },
      PublishPaymentCaptured: {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: {
          Entries: [
            {
              EventBusName: BUS_ARN,
              Source: 'shop.payments',
              DetailType: 'ChargeCaptured',
              Detail: {
                'orderId.$': '$.orderId',
                'captureId.$': '$.capture.captureId',
                'occurredAt.$': '$$.State.EnteredTime',
              },
            },
          ],
        },
        ResultPath: null,
        Next: 'RequestInvoice',
      },
      RequestInvoice: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: {
          QueueUrl: resources.queueUrl,
          MessageBody: {
            type: 'SendReceipt',
            'orderId.$': '$.orderId',
            'captureId.$': '$.capture.captureId',
          },
        },
        ResultSelector: { 'messageId.$': '$.MessageId' },
        ResultPath: '$.invoiceRequest',
        Next: 'PaymentCompleted',
      },
      PaymentCompleted: { Type: 'Succeed' },
      CardDeclined: failureEntry('card_declined'),
      ProviderUnavailable: failureEntry('provider_unavailable'),
      BankTransferTimedOut: failureEntry('bank_transfer_timeout'),
      PaymentCancelled: failureEntry('cancelled'),
      RecordFailure: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:updateItem',
        Parameters: {
          TableName: resources.tableName,
          Key: { orderId: S('$.orderId') },
          UpdateExpression: 'SET #status = :failed, #reason = :reason',
          ExpressionAttributeNames: { '#status': 'status', '#reason': 'reason' },
          ExpressionAttributeValues: { ':failed': { S: 'FAILED' }, ':reason': S('$.failure.reason') },
          ReturnValues: 'ALL_NEW',
        },
        ResultPath: null,
        Next: 'PublishPaymentFailed',
      },
      PublishPaymentFailed: {
        Type: 'Task',
        Resource: 'arn:aws:states:::events:putEvents',
        Parameters: {
          Entries: [
            {
              EventBusName: BUS_ARN,
              Source: 'shop.payments',
              DetailType: 'ChargeFailed',
              Detail: {
                'orderId.$': '$.orderId',
                'reason.$': '$.failure.reason',
                'error.$': '$.error.Error',
              },
            },
          ],
        },
        ResultPath: null,
        Next: 'ChargeFailed',
      },
      ChargeFailed: { Type: 'Fail', Error: 'ChargeFailed', Cause: 'The payment failed; see its reason' },
    },
  };
}
