import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ServiceFunction } from '../src/constructs/service-function.ts';
import { SharedData } from '../src/shared-data.ts';
import { type StageContext, stageConfig } from '../src/stages.ts';

const context: StageContext = {
  region: 'eu-west-1',
  owner: 'platform-team',
  testAccount: '222222222222',
  prodAccount: '333333333333',
};

/** One function of the orders service in a stack of its own, with the stage's shared data. */
function aFunction() {
  const stage = stageConfig('dev-alice', context, {});
  const stack = new Stack(new App(), 'Orders');
  const data = new SharedData(stack, stage);
  const fn = new ServiceFunction(stack, 'GetOrderFunction', {
    stage,
    service: 'orders',
    handler: 'get-order',
    description: 'A function that reads orders',
    invokedBy: '`GET /orders/{orderId}`',
    failureMeans: 'order reads fail: the client got a 500',
    alarmTopic: data.alarmTopic,
  });
  const orders = data.table('orders');
  return { stack, fn, orders };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

function statementsOf(stack: Stack): Statement[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
  return Object.values(policies).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
}

describe('a service function bound to a table', () => {
  it('may query exactly the indexes it names, by their full ARN and never index/*', () => {
    const { stack, fn, orders } = aFunction();
    fn.bindTable(orders, 'read', { indexes: ['byCustomer'] });

    const queries = statementsOf(stack).filter((statement) =>
      [statement.Action].flat().includes('dynamodb:Query'),
    );
    const resources = queries.flatMap((statement) => [statement.Resource].flat());
    expect(resources).toEqual([
      stack.resolve(orders.table.tableArn),
      stack.resolve(`${orders.table.tableArn}/index/byCustomer`),
    ]);
    expect(JSON.stringify(resources)).not.toContain('*');
    expect(JSON.stringify(resources)).toContain('/index/byCustomer');
  });

  it('grants the table alone when it names no index', () => {
    const { stack, fn, orders } = aFunction();
    fn.bindTable(orders, 'readWrite');

    const resources = statementsOf(stack)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')))
      .flatMap((statement) => [statement.Resource].flat());
    expect(resources).toEqual([stack.resolve(orders.table.tableArn)]);
  });

  it('refuses an index the table does not declare, naming the ones it does', () => {
    const { fn, orders } = aFunction();
    expect(() => fn.bindTable(orders, 'read', { indexes: ['byStatus'] })).toThrow(
      'serverless-commerce-dev-alice-get-order: the orders table has no index byStatus (its indexes: byCustomer). ' +
        'Declare an index in TABLES of infra/src/shared-data.ts.',
    );
  });
});
