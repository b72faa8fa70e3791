import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../src/shared-data.ts';
import { resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

const personal = () => synthesized.template(synthesized.stage.data);
const test = () => synthesized.template(synthesized.pipeline.test.data);
const prod = () => synthesized.template(synthesized.pipeline.prod.data);

describe('DataStack', () => {
  it('creates every table TABLES declares on demand, with point-in-time recovery and the AWS-managed KMS key', () => {
    for (const template of [personal(), test(), prod()]) {
      const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
      expect(tables).toHaveLength(Object.keys(TABLES).length);
      for (const [, table] of tables) {
        expect(table.Properties).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          // SSEEnabled without a key id: encrypted with aws/dynamodb.
          SSESpecification: { SSEEnabled: true },
        });
      }
    }
  });

  it('keys the tables as the services expect them', () => {
    const template = personal();
    const key = (name: string) => [{ AttributeName: name, KeyType: 'HASH' }];
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'serverless-commerce-dev-alice-orders',
      KeySchema: key('orderId'),
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byCustomer',
          KeySchema: [
            { AttributeName: 'customerId', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'serverless-commerce-dev-alice-payments',
      KeySchema: key('orderId'),
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'serverless-commerce-dev-alice-invoices',
      KeySchema: key('invoiceId'),
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'serverless-commerce-dev-alice-idempotency',
      KeySchema: key('id'),
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('creates each table with exactly the indexes TABLES declares, projecting whole items', () => {
    const template = personal();
    for (const [name, { indexes }] of Object.entries(TABLES)) {
      const [, table] =
        resourcesOf(template, 'AWS::DynamoDB::Table').find(
          ([, t]) => t.Properties?.TableName === `serverless-commerce-dev-alice-${name}`,
        ) ?? [];
      const expected = Object.entries(indexes).map(([indexName, index]) => ({
        IndexName: indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' }] : []),
        ],
        Projection: { ProjectionType: 'ALL' },
      }));
      expect(table?.Properties?.GlobalSecondaryIndexes ?? [], name).toEqual(expected);
    }
  });

  it('deletes a personal stage with its data, and retains and protects the data of test and prod', () => {
    const stateful = ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Kinesis::Stream'];
    for (const type of stateful) {
      for (const [, resource] of resourcesOf(personal(), type))
        expect(resource.DeletionPolicy).toBe('Delete');
      for (const template of [test(), prod()]) {
        for (const [, resource] of resourcesOf(template, type))
          expect(resource.DeletionPolicy).toBe('Retain');
      }
    }
    for (const [, table] of resourcesOf(prod(), 'AWS::DynamoDB::Table')) {
      expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
    }
    expect(synthesized.stage.data.terminationProtection).toBe(false);
    expect(synthesized.pipeline.test.data.terminationProtection).toBe(true);
    expect(synthesized.pipeline.prod.data.terminationProtection).toBe(true);
  });

  it('protects every stack of test and prod from deletion, and no stack of a personal stage', () => {
    const { stage, pipeline } = synthesized;
    const ids = (stacks: readonly Stack[]) => stacks.map((stack) => stack.node.id);
    // test also holds the role the pipeline's scenario suite runs as.
    expect(ids(pipeline.test.stacks)).toEqual([...ids(stage.stacks), 'Scenarios']);
    expect(ids(pipeline.prod.stacks)).toEqual(ids(stage.stacks));
    for (const shared of [pipeline.test, pipeline.prod]) {
      for (const stack of shared.stacks) expect(stack.terminationProtection).toBe(true);
    }
    for (const stack of stage.stacks) expect(stack.terminationProtection).toBe(false);
  });

  it('gives personal stages one provisioned shard and test and prod an on-demand stream, encrypted', () => {
    personal().hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 1,
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
    prod().hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('archives the stream through Firehose into a private, encrypted, TLS-only bucket with a lifecycle rule', () => {
    const template = personal();
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      ExtendedS3DestinationConfiguration: Match.objectLike({ CompressionFormat: 'GZIP' }),
    });
    const [archiveId] =
      resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('EventArchiveBucket')) ?? [];
    expect(archiveId).toBeDefined();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [Match.objectLike({ Status: 'Enabled', ExpirationInDays: 30 })] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'event-archive/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: archiveId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('sends every domain event from the bus to the stream, and archives them on the bus', () => {
    const template = personal();
    const domainEvents = { source: [{ prefix: 'serverless-commerce.' }] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: domainEvents,
      Targets: [
        Match.objectLike({
          KinesisParameters: { PartitionKeyPath: '$.detail.data.orderId' },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Archive', { EventPattern: domainEvents, RetentionDays: 7 });
  });

  it('publishes names and ARNs as SSM parameters under /serverless-commerce/<stage>/data/', () => {
    const template = personal();
    const names = resourcesOf(template, 'AWS::SSM::Parameter').map(([, p]) => p.Properties?.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        '/serverless-commerce/dev-alice/data/orders-table/name',
        '/serverless-commerce/dev-alice/data/orders-table/arn',
        '/serverless-commerce/dev-alice/data/payments-table/name',
        '/serverless-commerce/dev-alice/data/invoices-table/name',
        '/serverless-commerce/dev-alice/data/idempotency-table/name',
        '/serverless-commerce/dev-alice/data/event-bus/name',
        '/serverless-commerce/dev-alice/data/alarm-topic/arn',
      ]),
    );
  });

  it('alerts on the cost of a personal stage, filtered by its stage tag, and has no budget elsewhere', () => {
    personal().hasResourceProperties('AWS::Budgets::Budget', {
      Budget: Match.objectLike({
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        FilterExpression: { Tags: { Key: 'stage', Values: ['dev-alice'], MatchOptions: ['EQUALS'] } },
      }),
    });
    test().resourceCountIs('AWS::Budgets::Budget', 0);
    prod().resourceCountIs('AWS::Budgets::Budget', 0);
  });

  it('tags every taggable resource with app, stage and owner', () => {
    for (const [id, resource] of resourcesOf(personal())) {
      const tags = resource.Properties?.Tags;
      if (!Array.isArray(tags)) continue;
      expect(tags, id).toEqual(
        expect.arrayContaining([
          { Key: 'app', Value: 'serverless-commerce' },
          { Key: 'stage', Value: 'dev-alice' },
          { Key: 'owner', Value: 'alice' },
        ]),
      );
    }
  });
});
