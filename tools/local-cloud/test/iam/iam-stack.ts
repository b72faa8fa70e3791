import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { localCloudApp } from '../fixtures/local-cloud-app.ts';

/**
 * A stack whose grants are what the tests probe: an orders table with a `byCustomer` index, granted
 * the way `bindTable` grants it (an imported table: its ARN, not its indexes) to `iam-reader`, and
 * with the index named to `iam-indexed-reader`; `iam-sender`, allowed to send to the queue but
 * denied it explicitly, allowed PutEvents on the default bus and the answers to the callback
 * workflow's tasks; a workflow whose role may invoke `iam-reader` only; and a callback workflow
 * that hands its task token to the queue.
 */
export function synthesizeIamStack(
  outdir: string,
  customize: (parts: { stack: Stack; reader: lambda.Function }) => void = () => undefined,
): void {
  const app = localCloudApp(outdir);
  const stack = new Stack(app, 'Iam', { env: { region: 'eu-west-1' }, stackName: 'iam-test' });
  const table = new dynamodb.Table(stack, 'Orders', {
    tableName: 'iam-test-orders',
    partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  });
  table.addGlobalSecondaryIndex({
    indexName: 'byCustomer',
    partitionKey: { name: 'customerId', type: dynamodb.AttributeType.STRING },
  });
  const queue = new sqs.Queue(stack, 'Requests', { queueName: 'iam-test-requests' });
  const caller = (id: string, functionName: string) =>
    new lambda.Function(stack, id, {
      functionName,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(fileURLToPath(new URL('./iam-caller', import.meta.url))),
      environment: { TABLE_NAME: table.tableName, QUEUE_URL: queue.queueUrl },
    });

  const reader = caller('Reader', 'iam-reader');
  dynamodb.Table.fromTableName(stack, 'OrdersByName', table.tableName).grant(
    reader,
    'dynamodb:GetItem',
    'dynamodb:Query',
  );
  const indexedReader = caller('IndexedReader', 'iam-indexed-reader');
  dynamodb.Table.fromTableAttributes(stack, 'OrdersWithIndex', {
    tableName: table.tableName,
    globalIndexes: ['byCustomer'],
  }).grant(indexedReader, 'dynamodb:Query');

  const sender = caller('Sender', 'iam-sender');
  queue.grantSendMessages(sender);
  sender.addToRolePolicy(
    new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['sqs:SendMessage'], resources: ['*'] }),
  );
  sender.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    }),
  );

  const role = new iam.Role(stack, 'WorkflowRole', {
    assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
  });
  reader.grantInvoke(role);
  const invoke = (functionArn: string, call: string) => ({
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn, Payload: { call } },
    ResultSelector: { 'answer.$': '$.Payload' },
  });
  const caught = (resultPath: string, next: string) => ({
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: resultPath, Next: next }],
  });
  new sfn.StateMachine(stack, 'Workflow', {
    stateMachineName: 'iam-test-workflow',
    role,
    definitionBody: sfn.DefinitionBody.fromString(
      stack.toJsonString({
        StartAt: 'WriteOrder',
        States: {
          WriteOrder: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:putItem',
            Parameters: { TableName: table.tableName, Item: { orderId: { S: 'from-workflow' } } },
            ResultPath: null,
            Next: 'InvokeReader',
            ...caught('$.writeError', 'InvokeReader'),
          },
          InvokeReader: {
            ...invoke(reader.functionArn, 'get-item'),
            ResultPath: '$.reader',
            Next: 'InvokeSender',
          },
          InvokeSender: {
            ...invoke(sender.functionArn, 'put-events'),
            ResultPath: '$.sender',
            End: true,
            ...caught('$.invokeError', 'Done'),
          },
          Done: { Type: 'Succeed' },
        },
      }),
    ),
  });
  // A callback task that hands its token to the queue; only `iam-sender` may answer it.
  const callback = new sfn.StateMachine(stack, 'Callback', {
    stateMachineName: 'iam-test-callback',
    definitionBody: sfn.DefinitionBody.fromString(
      stack.toJsonString({
        StartAt: 'AwaitAnswer',
        States: {
          AwaitAnswer: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
            Parameters: { QueueUrl: queue.queueUrl, MessageBody: { 'taskToken.$': '$$.Task.Token' } },
            End: true,
          },
        },
      }),
    ),
  });
  queue.grantSendMessages(callback);
  callback.grantTaskResponse(sender);
  customize({ stack, reader });
  app.synth();
}
