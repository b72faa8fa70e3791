import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import validateAsl from 'asl-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerlessCommerceStage } from '../src/serverless-commerce-stage.ts';
import { type CfnResource, REGION, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

const ACCOUNT = '123456789012';

type State = {
  Type: string;
  Next?: string;
  Resource?: string;
  Retry?: {
    ErrorEquals: string[];
    IntervalSeconds?: number;
    MaxAttempts?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
    JitterStrategy?: string;
  }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  [key: string]: unknown;
};
type Definition = { StartAt: string; States: Record<string, State>; QueryLanguage?: string };

/**
 * The state machine's definition as Step Functions would receive it: the template's Fn::Join with
 * every Ref and Fn::GetAtt replaced by a fake but well-formed value (as the local cloud does).
 */
function definitionOf(stage: ServerlessCommerceStage): Definition {
  const template = synthesized.template(stage.payments).toJSON() as {
    Resources: Record<string, CfnResource>;
    Parameters: Record<string, { Default?: string }>;
  };
  const [, stateMachine] =
    resourcesOf(synthesized.template(stage.payments), 'AWS::StepFunctions::StateMachine')[0] ?? [];
  const resolve = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const { Ref: ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (ref && pseudo[ref]) return pseudo[ref];
    const id = ref ?? getAtt?.[0] ?? '';
    const parameter = template.Parameters[id]?.Default;
    if (parameter?.endsWith('/url')) return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${id}`;
    if (parameter?.endsWith('/arn')) return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
    if (parameter) return id;
    const type = template.Resources[id]?.Type;
    if (type === 'AWS::Lambda::Function') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    if (type === 'AWS::Lambda::Alias') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}:live`;
    throw new Error(`No fake value for ${JSON.stringify(part)}`);
  };
  const body = stateMachine?.Properties?.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(body['Fn::Join'][1].map(resolve).join(body['Fn::Join'][0])) as Definition;
}

describe('PaymentWorkflow', () => {
  it('is valid Amazon States Language once its references are resolved, on every stage', () => {
    for (const stage of [synthesized.stage, synthesized.pipeline.test, synthesized.pipeline.prod]) {
      const result = validateAsl(definitionOf(stage));
      expect(result.errorsText('\n'), stage.config.name).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  it('uses JSONPath only: no JSONata and no variables, which the local emulator would ignore', () => {
    const definition = definitionOf(synthesized.stage);
    const text = JSON.stringify(definition);
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(text).not.toContain('JSONata');
    expect(text).not.toContain('"Assign"');
    expect(text).not.toContain('{%');
    const [, stateMachine] =
      resourcesOf(synthesized.template(synthesized.stage.payments), 'AWS::StepFunctions::StateMachine')[0] ??
      [];
    expect(stateMachine?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('retries Authorize on provider outages (1 s, doubling, full jitter, 5 calls) and catches declines and exhausted retries', () => {
    const { States } = definitionOf(synthesized.stage);
    const authorize = States.Authorize;
    expect(authorize?.Retry).toContainEqual({
      ErrorEquals: ['ProviderUnavailableError'],
      IntervalSeconds: 1,
      BackoffRate: 2,
      MaxAttempts: 4,
      JitterStrategy: 'FULL',
    });
    const catches = Object.fromEntries((authorize?.Catch ?? []).map((c) => [c.ErrorEquals.join(), c.Next]));
    // Nothing was captured before a failed authorization: no compensation is needed.
    const noneNeeded = { compensation: { action: 'none_needed' } };
    expect(States[catches.CardDeclinedError ?? '']).toMatchObject({
      Result: { reason: 'card_declined', ...noneNeeded },
      Next: 'RecordFailure',
    });
    expect(States[catches.ProviderUnavailableError ?? '']).toMatchObject({
      Result: { reason: 'provider_unavailable', ...noneNeeded },
      Next: 'RecordFailure',
    });
    expect(States.RecordFailure?.Next).toBe('PublishPaymentFailed');
    expect(States.PublishPaymentFailed?.Next).toBe(EVENTS.PaymentFailed.type);
    expect(States.PaymentFailed?.Type).toBe('Fail');
  });

  it('retries Lambda service errors and timeouts on every function task, then fails the payment, never the execution', () => {
    const { States } = definitionOf(synthesized.stage);
    const failed = (state: State | undefined) => (state?.Type === 'Task' ? States[state.Next ?? ''] : state);
    const names = [
      'Authorize',
      'AwaitBankTransfer',
      'CaptureCard',
      'CaptureBankTransfer',
      'RefundCaptureAttempt',
    ];
    for (const name of names) {
      const state = States[name] as {
        Retry?: { ErrorEquals: string[] }[];
        Catch?: { ErrorEquals: string[]; Next: string }[];
      };
      expect(state.Retry?.map((retry) => retry.ErrorEquals)).toContainEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.TooManyRequestsException',
          'Sandbox.Timedout',
        ]),
      );
      const last = state.Catch?.at(-1);
      expect(last?.ErrorEquals).toEqual(['States.ALL']);
      // A failed capture goes through its compensation first, whose own failure is caught as well.
      const entry = failed(States[last?.Next ?? '']);
      expect(entry?.Result ?? entry?.Parameters, name).toMatchObject({ reason: 'provider_unavailable' });
    }
  });

  it('refunds the capture attempt of a capture that failed for good, then records the failure with its compensation', () => {
    const { States } = definitionOf(synthesized.stage);
    for (const name of ['CaptureCard', 'CaptureBankTransfer']) {
      expect(States[name]?.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RefundCaptureAttempt' },
      ]);
    }
    const refund = States.RefundCaptureAttempt;
    expect(refund).toMatchObject({
      Resource: expect.stringMatching(/:function:RefundFunction/),
      // No captureId: the capture's answer was lost, so the order names the capture attempt.
      Parameters: {
        'orderId.$': '$.orderId',
        'amount.$': '$.amount',
        'currency.$': '$.currency',
        'correlationId.$': '$.correlationId',
      },
      ResultPath: '$.refund',
      Next: 'CaptureRefunded',
    });
    expect(refund?.Retry).toContainEqual({
      ErrorEquals: expect.arrayContaining([
        'ProviderUnavailableError',
        'Lambda.TooManyRequestsException',
        'Sandbox.Timedout',
      ]),
      IntervalSeconds: 2,
      BackoffRate: 2,
      MaxAttempts: 6,
      MaxDelaySeconds: 60,
      JitterStrategy: 'FULL',
    });
    expect(States.CaptureRefunded).toMatchObject({
      Type: 'Pass',
      Parameters: {
        reason: 'provider_unavailable',
        status: 'FAILED',
        compensation: { action: 'refunded', 'refundId.$': '$.refund.refundId' },
        compensationItem: { action: { S: 'refunded' }, refundId: { 'S.$': '$.refund.refundId' } },
      },
      ResultPath: '$.failure',
      Next: 'RecordFailure',
    });
    expect(refund?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.refundError', Next: 'CaptureRefundFailed' },
    ]);
    expect(States.CaptureRefundFailed).toMatchObject({
      Result: { reason: 'provider_unavailable', status: 'FAILED', compensation: { action: 'refund_failed' } },
      Next: 'RecordFailure',
    });
  });

  it('may invoke the refund function, whose every error alarms: a failed compensation needs a person', () => {
    const template = synthesized.template(synthesized.stage.payments);
    const [[refundId] = []] = resourcesOf(template, 'AWS::Lambda::Function').filter(
      ([, fn]) => fn.Properties?.FunctionName === 'serverless-commerce-dev-alice-refund',
    );
    const [[roleId] = []] = resourcesOf(template, 'AWS::IAM::Role').filter(([id]) =>
      id.startsWith('PaymentWorkflowStateMachineRole'),
    );
    const invokes = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap(
        ([, policy]) =>
          (policy.Properties?.PolicyDocument as { Statement?: unknown[] } | undefined)?.Statement ?? [],
      );
    expect(invokes).toContainEqual(
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: expect.arrayContaining([{ 'Fn::GetAtt': [refundId, 'Arn'] }]),
      }),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'serverless-commerce-dev-alice-refund-errors',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('records the compensation on the payment and announces it with PaymentFailed', () => {
    const { States } = definitionOf(synthesized.stage);
    expect(States.RecordFailure).toMatchObject({
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: expect.objectContaining({
        UpdateExpression:
          'SET #status = :status, #reason = :reason, compensation = :compensation, updatedAt = :updatedAt',
        ExpressionAttributeValues: expect.objectContaining({
          ':compensation': { 'M.$': '$.failure.compensationItem' },
        }),
      }),
    });
    const parameters = States.PublishPaymentFailed?.Parameters as
      | { Entries?: { Detail: { data: unknown } }[] }
      | undefined;
    const [entry] = parameters?.Entries ?? [];
    expect(entry?.Detail.data).toEqual({
      'orderId.$': '$.orderId',
      'reason.$': '$.failure.reason',
      'attempts.$': '$.failed.attempts',
      'compensation.$': '$.failure.compensation',
    });
  });

  it('records the attempt first and ends quietly when the order was already handled', () => {
    const { StartAt, States } = definitionOf(synthesized.stage);
    expect(StartAt).toBe('RecordAttempt');
    expect(States.RecordAttempt).toMatchObject({
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: expect.objectContaining({
        // A repeat by the same execution, before anything moved the payment on, is the same write.
        ConditionExpression:
          'attribute_not_exists(orderId) OR (#execution = :execution AND #status = :started AND attempts = :none)',
        ExpressionAttributeValues: expect.objectContaining({ ':execution': { 'S.$': '$$.Execution.Id' } }),
      }),
      Catch: [
        {
          ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
          Next: 'AlreadyHandled',
          ResultPath: null,
        },
      ],
    });
    expect(States.AlreadyHandled?.Type).toBe('Succeed');
  });

  it('waits for a bank transfer with a task token and a timeout, and fails the payment on timeout or cancellation', () => {
    const { States } = definitionOf(synthesized.pipeline.prod);
    const wait = States.AwaitBankTransfer;
    expect(wait).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 3 * 24 * 3600,
      Parameters: { Payload: expect.objectContaining({ 'taskToken.$': '$$.Task.Token' }) },
    });
    const catches = Object.fromEntries((wait?.Catch ?? []).map((c) => [c.ErrorEquals.join(), c.Next]));
    expect(States[catches['States.Timeout'] ?? '']).toMatchObject({
      Result: { reason: 'bank_transfer_timeout', status: 'FAILED' },
    });
    // cancel-payment marked the payment CANCELLED before it failed the task: the record keeps that.
    expect(States[catches.OrderCancelled ?? '']).toMatchObject({
      Result: { reason: 'cancelled', status: 'CANCELLED' },
    });
  });

  it('captures, records, announces PaymentCaptured, then requests the invoice through SQS', () => {
    const { States } = definitionOf(synthesized.stage);
    expect(States.CaptureCard?.Next).toBe('RecordCapture');
    expect(States.CaptureBankTransfer?.Next).toBe('RecordCapture');
    expect(States.RecordCapture?.Next).toBe('PublishPaymentCaptured');
    expect(States.PublishPaymentCaptured).toMatchObject({
      Resource: 'arn:aws:states:::events:putEvents',
      Parameters: {
        Entries: [
          expect.objectContaining({
            Source: 'serverless-commerce.payments',
            DetailType: EVENTS.PaymentCaptured.type,
            Detail: expect.objectContaining({
              'id.$': 'States.UUID()',
              type: EVENTS.PaymentCaptured.type,
              version: 1,
            }),
          }),
        ],
      },
      Next: 'RequestInvoice',
    });
    expect(States.RequestInvoice).toMatchObject({
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { MessageBody: expect.objectContaining({ type: COMMANDS.IssueInvoice.type, version: 1 }) },
      Next: 'PaymentCompleted',
    });
  });
});
