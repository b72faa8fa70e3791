import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';
import { synthesizeIamStack } from './iam-stack.ts';

/**
 * What the local IAM cannot judge stops the start, listed, instead of being taken as allowed or
 * denied: a condition it does not evaluate, an AWS managed policy whose grants it does not know.
 */
const folders = temporaryFolders();
afterAll(() => folders.removeAll());

const startWith = (customize: Parameters<typeof synthesizeIamStack>[1], options: { iam?: boolean } = {}) => {
  const assemblyDir = folders.make('iam-refusal-');
  synthesizeIamStack(assemblyDir, customize);
  return startLocalCloud({ assemblyDir, port: 0, log: () => undefined, ...options });
};

describe('a role the local IAM cannot judge', () => {
  it('stops the start, naming each condition it does not evaluate and each unknown managed policy', async () => {
    const starting = startWith(({ reader }) => {
      reader.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'OwnOrdersOnly',
          actions: ['dynamodb:GetItem'],
          resources: ['*'],
          conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['customer-1'] } },
        }),
      );
      reader.role?.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonDynamoDBFullAccess'));
    });

    const refusal = await starting.then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(
      /^IAM cannot be enforced locally \(start with --no-iam, or iam: false, to run without it\):/,
    );
    expect(refusal).toMatch(
      /statement OwnOrdersOnly: condition operator ForAllValues:StringEquals is not evaluated locally/,
    );
    expect(refusal).toMatch(
      /has the managed policy arn:aws:iam::aws:policy\/AmazonDynamoDBFullAccess, whose grants are not known locally/,
    );
  });

  it('starts with iam: false, where nothing is judged', async () => {
    const cloud = await startWith(
      ({ reader }) => {
        reader.role?.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonDynamoDBFullAccess'));
      },
      { iam: false },
    );
    expect(cloud.iamEnforced).toBe(false);
    await cloud.stop();
  });
});
