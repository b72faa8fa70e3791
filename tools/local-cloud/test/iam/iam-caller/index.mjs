import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

// Makes the AWS call the event names, with the SDK's default credentials (the function's own, from
// its environment), and answers what the service answered, so a test can see what AWS would do.
const dynamodb = new DynamoDBClient({});
const events = new EventBridgeClient({});
const stepFunctions = new SFNClient({});
// To the configured endpoint, not the queue URL's host, as the app's clients do (awsClientConfig)...
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
// ...and to the queue URL's host, the SDK's default.
const sqsByQueueUrl = new SQSClient({});
const table = () => process.env.TABLE_NAME;

const calls = {
  'get-item': () => dynamodb.send(new GetItemCommand({ TableName: table(), Key: { orderId: { S: 'o-1' } } })),
  'query-table': () =>
    dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'orderId = :order',
        ExpressionAttributeValues: { ':order': { S: 'o-1' } },
      }),
    ),
  'query-index': () =>
    dynamodb.send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'byCustomer',
        KeyConditionExpression: 'customerId = :customer',
        ExpressionAttributeValues: { ':customer': { S: 'c-1' } },
      }),
    ),
  'send-message': () =>
    sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: '{"hello":true}' })),
  'send-message-to-queue-url-host': () =>
    sqsByQueueUrl.send(
      new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: '{"hello":true}' }),
    ),
  'put-events': () =>
    events.send(
      new PutEventsCommand({ Entries: [{ Source: 'iam.test', DetailType: 'Tried', Detail: '{}' }] }),
    ),
  'send-task-success': (taskToken) =>
    stepFunctions.send(new SendTaskSuccessCommand({ taskToken, output: '{"answered":true}' })),
};

export const handler = async ({ call, taskToken }) => {
  try {
    await calls[call](taskToken);
    return { ok: true };
  } catch (error) {
    return { ok: false, name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
  }
};
