import { describe, expect, it } from 'vitest';
import { type ResourceNames, requestedAccess } from '../../src/iam/requested-access.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bank-webhook-AbC123';
const MACHINE = 'arn:aws:states:eu-west-1:000000000000:stateMachine:payment-workflow';
const names: ResourceNames = {
  region: 'eu-west-1',
  accountId: '000000000000',
  secretArn: (id) => (SECRET.startsWith(id) || id === 'bank-webhook' ? SECRET : undefined),
  stateMachineOfTaskToken: (token) => (token === 'known-token' ? MACHINE : undefined),
};
const TABLE = 'arn:aws:dynamodb:eu-west-1:000000000000:table';

describe('the action and resources IAM authorizes for a request', () => {
  it("names a DynamoDB call's table, its index, each table of a batch and each item of a transaction", () => {
    expect(
      requestedAccess('dynamodb', 'Query', { TableName: 'orders', IndexName: 'byCustomer' }, names),
    ).toEqual([{ action: 'dynamodb:Query', resource: `${TABLE}/orders/index/byCustomer` }]);
    expect(
      requestedAccess('dynamodb', 'BatchGetItem', { RequestItems: { orders: {}, payments: {} } }, names),
    ).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: `${TABLE}/orders` },
      { action: 'dynamodb:BatchGetItem', resource: `${TABLE}/payments` },
    ]);
    const transaction = {
      TransactItems: [
        { Put: { TableName: 'orders' } },
        { ConditionCheck: { TableName: `${TABLE}/idempotency` } },
      ],
    };
    expect(requestedAccess('dynamodb', 'TransactWriteItems', transaction, names)).toEqual([
      { action: 'dynamodb:PutItem', resource: `${TABLE}/orders` },
      { action: 'dynamodb:ConditionCheckItem', resource: `${TABLE}/idempotency` },
    ]);
    expect(requestedAccess('dynamodb', 'ListTables', {}, names)).toEqual([
      { action: 'dynamodb:ListTables', resource: '*' },
    ]);
  });

  it('names the queue of a queue URL or name, and a batch by the action it repeats', () => {
    const queueUrl = 'http://127.0.0.1:4566/000000000000/payment-requests';
    expect(requestedAccess('sqs', 'SendMessageBatch', { QueueUrl: queueUrl }, names)).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:000000000000:payment-requests' },
    ]);
    expect(requestedAccess('sqs', 'GetQueueUrl', { QueueName: 'payment-requests' }, names)).toEqual([
      { action: 'sqs:GetQueueUrl', resource: 'arn:aws:sqs:eu-west-1:000000000000:payment-requests' },
    ]);
  });

  it("names each entry's bus of a PutEvents once, the default bus for an entry that names none", () => {
    const entries = [
      { EventBusName: 'shop' },
      {},
      { EventBusName: 'arn:aws:events:eu-west-1:000000000000:event-bus/shop' },
    ];
    expect(requestedAccess('events', 'PutEvents', { Entries: entries }, names)).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:000000000000:event-bus/shop' },
      { action: 'events:PutEvents', resource: 'arn:aws:events:eu-west-1:000000000000:event-bus/default' },
    ]);
  });

  it('authorizes a task callback on the state machine that issued the token, and leaves an unknown token to the service', () => {
    expect(
      requestedAccess('states', 'SendTaskSuccess', { taskToken: 'known-token', output: '{}' }, names),
    ).toEqual([{ action: 'states:SendTaskSuccess', resource: MACHINE }]);
    expect(requestedAccess('states', 'SendTaskFailure', { taskToken: 'forgotten' }, names)).toEqual([]);
    expect(requestedAccess('states', 'StartExecution', { stateMachineArn: MACHINE }, names)).toEqual([
      { action: 'states:StartExecution', resource: MACHINE },
    ]);
  });

  it("names a secret by its full ARN, with AWS's six-character suffix, whether asked by name or partial ARN", () => {
    const full = [{ action: 'secretsmanager:GetSecretValue', resource: SECRET }];
    expect(requestedAccess('secretsmanager', 'GetSecretValue', { SecretId: 'bank-webhook' }, names)).toEqual(
      full,
    );
    expect(
      requestedAccess('secretsmanager', 'GetSecretValue', { SecretId: SECRET.slice(0, -7) }, names),
    ).toEqual(full);
  });

  it("leaves Cognito's sign-in calls to the user's tokens, and names the pool of an admin call", () => {
    expect(requestedAccess('cognito-idp', 'InitiateAuth', { ClientId: 'c' }, names)).toEqual([]);
    expect(requestedAccess('cognito-idp', 'AdminGetUser', { UserPoolId: 'eu-west-1_abc' }, names)).toEqual([
      {
        action: 'cognito-idp:AdminGetUser',
        resource: 'arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_abc',
      },
    ]);
  });

  it("names each SSM parameter by its ARN, without the name's leading slash, and a path read as the path", () => {
    const parameter = 'arn:aws:ssm:eu-west-1:000000000000:parameter/app/local';
    expect(requestedAccess('ssm', 'GetParameter', { Name: '/app/local/a' }, names)).toEqual([
      { action: 'ssm:GetParameter', resource: `${parameter}/a` },
    ]);
    expect(
      requestedAccess('ssm', 'GetParameters', { Names: ['/app/local/a', '/app/local/b'] }, names),
    ).toEqual([
      { action: 'ssm:GetParameters', resource: `${parameter}/a` },
      { action: 'ssm:GetParameters', resource: `${parameter}/b` },
    ]);
    expect(requestedAccess('ssm', 'GetParametersByPath', { Path: '/app/local' }, names)).toEqual([
      { action: 'ssm:GetParametersByPath', resource: parameter },
    ]);
  });
});
