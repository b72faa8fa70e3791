import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyDocument, unsupportedConditions } from '../../src/iam/policy-evaluator.ts';

const TABLE = 'arn:aws:dynamodb:eu-west-1:000000000000:table/orders';
const context = { 'aws:RequestedRegion': 'eu-west-1', 'aws:PrincipalAccount': '000000000000' };
const policy = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement.flat(),
});
const decide = (document: PolicyDocument, action: string, resource: string) =>
  evaluate([document], { action, resource, context });

describe('the policy evaluator', () => {
  it('denies what no statement allows, and allows an action on a resource a statement names', () => {
    const grant = policy({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:Query'],
      Resource: TABLE,
    });

    expect(decide(grant, 'dynamodb:Query', TABLE)).toBe('allowed');
    expect(decide(grant, 'dynamodb:PutItem', TABLE)).toBe('denied');
    expect(decide(grant, 'dynamodb:Query', `${TABLE}/index/byCustomer`)).toBe('denied');
    expect(evaluate([], { action: 'dynamodb:Query', resource: TABLE, context })).toBe('denied');
  });

  it('matches actions without regard to case, and ARNs with it', () => {
    const grant = policy({ Effect: 'Allow', Action: 'DynamoDB:query', Resource: TABLE });

    expect(decide(grant, 'dynamodb:Query', TABLE)).toBe('allowed');
    expect(decide(grant, 'dynamodb:Query', TABLE.toUpperCase())).toBe('denied');
  });

  it('reads * as any run of characters, slashes and colons included, and ? as exactly one', () => {
    const grant = policy(
      { Effect: 'Allow', Action: 'dynamodb:*', Resource: `${TABLE}/index/*` },
      {
        Effect: 'Allow',
        Action: 'secretsmanager:Get*',
        Resource: 'arn:aws:secretsmanager:*:*:secret:bank-??????',
      },
    );

    expect(decide(grant, 'dynamodb:Scan', `${TABLE}/index/byCustomer`)).toBe('allowed');
    expect(decide(grant, 'dynamodb:Scan', TABLE)).toBe('denied');
    const secret = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bank-';
    expect(decide(grant, 'secretsmanager:GetSecretValue', `${secret}AbC123`)).toBe('allowed');
    expect(decide(grant, 'secretsmanager:GetSecretValue', `${secret}AbC12`)).toBe('denied');
    expect(decide(grant, 'secretsmanager:DescribeSecret', `${secret}AbC123`)).toBe('denied');
  });

  it('lets an explicit Deny win over any Allow, in any policy', () => {
    const allow = policy({ Effect: 'Allow', Action: '*', Resource: '*' });
    const deny = policy({ Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: TABLE });

    expect(evaluate([allow, deny], { action: 'dynamodb:DeleteItem', resource: TABLE, context })).toBe(
      'explicitly-denied',
    );
    expect(evaluate([allow, deny], { action: 'dynamodb:PutItem', resource: TABLE, context })).toBe('allowed');
  });

  it('reads NotAction and NotResource as everything but what they list', () => {
    const grant = policy(
      { Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: TABLE },
      { Effect: 'Allow', Action: 'sqs:SendMessage', NotResource: 'arn:aws:sqs:*:*:internal-*' },
    );

    expect(decide(grant, 'dynamodb:PutItem', TABLE)).toBe('allowed');
    expect(decide(grant, 'dynamodb:DeleteItem', TABLE)).toBe('denied');
    expect(decide(grant, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:orders')).toBe('allowed');
    expect(decide(grant, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:internal-audit')).toBe(
      'denied',
    );
  });

  it('evaluates the string and ARN conditions on the keys every local request carries', () => {
    const grant = policy({
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: TABLE,
      Condition: { StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } },
    });
    const elsewhere = policy({
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: TABLE,
      Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
    });

    expect(decide(grant, 'dynamodb:Query', TABLE)).toBe('allowed');
    expect(decide(elsewhere, 'dynamodb:Query', TABLE)).toBe('denied');
  });

  it('lists each condition operator or key it cannot judge, so the cloud refuses to start rather than guess', () => {
    const document = policy({
      Sid: 'OwnItemsOnly',
      Effect: 'Allow',
      Action: 'dynamodb:GetItem',
      Resource: TABLE,
      Condition: {
        'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['customer-1'] },
        StringLike: { 'aws:SourceArn': 'arn:aws:sqs:*' },
        StringEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' },
      },
    });

    expect(unsupportedConditions('Role/Policy', document)).toEqual([
      'Role/Policy, statement OwnItemsOnly: condition operator ForAllValues:StringEquals is not evaluated locally',
      'Role/Policy, statement OwnItemsOnly: condition key aws:SourceArn is not evaluated locally',
    ]);
  });
});
