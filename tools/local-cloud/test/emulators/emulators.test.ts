import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../src/emulators/emulators.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const shell = { AWS_REGION: process.env.AWS_REGION, AWS_ACCOUNT_ID: process.env.AWS_ACCOUNT_ID };
let emulators: Emulators;

beforeAll(async () => {
  // A developer's shell that names another region and account than the stacks'.
  process.env.AWS_REGION = 'us-west-2';
  process.env.AWS_ACCOUNT_ID = '111122223333';
  emulators = await startEmulators({ region: 'eu-west-1', accountId: '000000000000' });
});
afterAll(async () => {
  await emulators?.stop();
  for (const [name, value] of Object.entries(shell)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the emulators', () => {
  it("answer with ARNs in the stacks' region and the local account, whatever the shell says", async () => {
    const dynamodb = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: emulators.dynamodb.endpoint,
      credentials,
    });
    const kinesis = new KinesisClient({
      region: 'eu-west-1',
      endpoint: emulators.kinesis.endpoint,
      credentials,
      requestHandler: new NodeHttpHandler(),
    });

    const { TableDescription } = await dynamodb.send(
      new CreateTableCommand({
        TableName: 'arn-check',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await kinesis.send(new CreateStreamCommand({ StreamName: 'arn-check', ShardCount: 1 }));
    const { StreamDescriptionSummary } = await kinesis.send(
      new DescribeStreamSummaryCommand({ StreamName: 'arn-check' }),
    );

    expect(TableDescription?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:000000000000:table/arn-check');
    expect(StreamDescriptionSummary?.StreamARN).toBe(
      'arn:aws:kinesis:eu-west-1:000000000000:stream/arn-check',
    );
    expect(process.env.AWS_REGION).toBe('us-west-2');
    expect(process.env.AWS_ACCOUNT_ID).toBe('111122223333');
  });
});
