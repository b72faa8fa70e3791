import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { APP_NAME, type StageConfig } from './stages.ts';

/**
 * The contract between stacks: SSM parameters named `/serverless-commerce/<stage>/<owner>/<resource>/<type>`.
 * A stack publishes what others need, and a stack deployed after it reads the value when
 * CloudFormation deploys it. Unlike CloudFormation exports, a parameter never locks its producer:
 * the data and identity stacks can change or replace a resource without first removing every stack
 * that uses it.
 */
export type ParameterOwner = 'data' | 'identity' | 'orders' | 'payments' | 'invoices';
export type ParameterType = 'name' | 'arn' | 'url' | 'id';

export interface ParameterRef {
  readonly owner: ParameterOwner;
  readonly resource: string;
  readonly type: ParameterType;
}

const ref = (owner: ParameterOwner, resource: string, type: ParameterType): ParameterRef => ({
  owner,
  resource,
  type,
});

/** Every parameter of the application, by the stack that publishes it. */
export const PARAMETERS = {
  ordersTableName: ref('data', 'orders-table', 'name'),
  ordersTableArn: ref('data', 'orders-table', 'arn'),
  paymentsTableName: ref('data', 'payments-table', 'name'),
  paymentsTableArn: ref('data', 'payments-table', 'arn'),
  invoicesTableName: ref('data', 'invoices-table', 'name'),
  invoicesTableArn: ref('data', 'invoices-table', 'arn'),
  idempotencyTableName: ref('data', 'idempotency-table', 'name'),
  idempotencyTableArn: ref('data', 'idempotency-table', 'arn'),
  eventBusName: ref('data', 'event-bus', 'name'),
  eventBusArn: ref('data', 'event-bus', 'arn'),
  eventStreamName: ref('data', 'event-stream', 'name'),
  eventStreamArn: ref('data', 'event-stream', 'arn'),
  eventArchiveBucketName: ref('data', 'event-archive-bucket', 'name'),
  alarmTopicArn: ref('data', 'alarm-topic', 'arn'),
  customerUserPoolId: ref('identity', 'user-pool', 'id'),
  customerUserPoolClientId: ref('identity', 'user-pool-client', 'id'),
  bankWebhookSecretArn: ref('identity', 'bank-webhook-secret', 'arn'),
  invoiceRequestsQueueUrl: ref('invoices', 'invoice-requests-queue', 'url'),
  invoiceRequestsQueueArn: ref('invoices', 'invoice-requests-queue', 'arn'),
  invoiceRequestsEventSourceMappingId: ref('invoices', 'invoice-requests-event-source-mapping', 'id'),
  getInvoiceFunctionArn: ref('invoices', 'get-invoice-function', 'arn'),
  paymentRequestsQueueUrl: ref('payments', 'payment-requests-queue', 'url'),
  paymentRequestsQueueArn: ref('payments', 'payment-requests-queue', 'arn'),
  confirmBankTransferFunctionArn: ref('payments', 'confirm-bank-transfer-function', 'arn'),
  httpApiUrl: ref('orders', 'http-api', 'url'),
} as const satisfies Record<string, ParameterRef>;

/** `/<app>/<stage>/`: the path every parameter of the stage is under, read whole by GetParametersByPath. */
export function stageParameterPath(stage: Pick<StageConfig, 'name'>): string {
  return `/${APP_NAME}/${stage.name}/`;
}

export function parameterName(
  stage: Pick<StageConfig, 'name'>,
  { owner, resource, type }: ParameterRef,
): string {
  return `${stageParameterPath(stage)}${owner}/${resource}/${type}`;
}

const pascalCase = (text: string): string =>
  text.replace(/(^|-)([a-z0-9])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());

/** Publishes a value for the stacks deployed after this one, e.g. `OrdersTableNameParameter`. */
export function publishParameter(
  scope: Construct,
  stage: StageConfig,
  parameter: ParameterRef,
  value: string,
): ssm.StringParameter {
  const published = new ssm.StringParameter(
    scope,
    `${pascalCase(parameter.resource)}${pascalCase(parameter.type)}Parameter`,
    {
      parameterName: parameterName(stage, parameter),
      stringValue: value,
      description: `${parameter.resource} ${parameter.type}, published by the ${parameter.owner} stack`,
    },
  );
  published.applyRemovalPolicy(stage.removal);
  return published;
}

/**
 * Reads a value another stack published. The template gets a parameter of type
 * `AWS::SSM::Parameter::Value<String>`, resolved by CloudFormation on every deployment, so this
 * stack must be deployed after the publisher (the stage declares that order).
 */
export function readParameter(scope: Construct, stage: StageConfig, parameter: ParameterRef): string {
  return ssm.StringParameter.valueForStringParameter(scope, parameterName(stage, parameter));
}
