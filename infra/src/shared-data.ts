import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PARAMETERS, type ParameterRef, readParameter } from './parameters.ts';
import type { StageConfig } from './stages.ts';

export type TableName = 'orders' | 'payments' | 'invoices' | 'idempotency';

/**
 * A global secondary index, by the attributes it is keyed on (strings). The data stack creates it,
 * projecting whole items, and `ServiceFunction.bindTable` grants Query on it by name.
 */
export interface TableIndex {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDefinition {
  /** The table's construct id, in the data stack and where a service stack imports it. */
  readonly id: string;
  /** The item's key (a string attribute). */
  readonly partitionKey: string;
  /** An attribute holding an expiry time (epoch seconds) after which DynamoDB deletes the item. */
  readonly timeToLiveAttribute?: string;
  /** The SSM parameters the data stack publishes the table's name and ARN in. */
  readonly parameter: ParameterRef;
  readonly arnParameter: ParameterRef;
  readonly environmentVariable: string;
  /** Every global secondary index of the table, by name: the one place an index is declared. */
  readonly indexes: Readonly<Record<string, TableIndex>>;
}

/** A table of the data stack, with the environment variable that names it to a function. */
export interface SharedTable {
  readonly name: TableName;
  readonly table: dynamodb.ITable;
  readonly environmentVariable: string;
  /** The names of the table's global secondary indexes (TABLES), which a grant may name. */
  readonly indexes: readonly string[];
}

export const TABLES: Readonly<Record<TableName, TableDefinition>> = {
  orders: {
    id: 'OrdersTable',
    partitionKey: 'orderId',
    parameter: PARAMETERS.ordersTableName,
    arnParameter: PARAMETERS.ordersTableArn,
    environmentVariable: 'ORDERS_TABLE_NAME',
    // A customer's orders, oldest first.
    indexes: { byCustomer: { partitionKey: 'customerId', sortKey: 'createdAt' } },
  },
  payments: {
    id: 'PaymentsTable',
    partitionKey: 'orderId',
    parameter: PARAMETERS.paymentsTableName,
    arnParameter: PARAMETERS.paymentsTableArn,
    environmentVariable: 'PAYMENTS_TABLE_NAME',
    indexes: {},
  },
  invoices: {
    id: 'InvoicesTable',
    partitionKey: 'invoiceId',
    parameter: PARAMETERS.invoicesTableName,
    arnParameter: PARAMETERS.invoicesTableArn,
    environmentVariable: 'INVOICES_TABLE_NAME',
    indexes: {},
  },
  idempotency: {
    id: 'IdempotencyTable',
    partitionKey: 'id',
    timeToLiveAttribute: 'expiresAt',
    parameter: PARAMETERS.idempotencyTableName,
    arnParameter: PARAMETERS.idempotencyTableArn,
    environmentVariable: 'IDEMPOTENCY_TABLE_NAME',
    indexes: {},
  },
};

/** The customer user pool as a JWT authorizer sees it. */
export interface CustomerUserPool {
  readonly userPoolId: string;
  /** The app client customers sign in with: the audience of their tokens. */
  readonly userPoolClientId: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `iss` claim of the pool's tokens. */
  readonly issuer: string;
}

/**
 * What a service stack uses of the stateful stacks (data, identity), found through their SSM
 * parameters. Each resource is imported on first use, so a template only reads the parameters it
 * needs. Names are enough for the tables and the bus: they share the stack's account and region,
 * so their ARNs follow from the names.
 */
export class SharedData {
  private readonly scope: Construct;
  private readonly stage: StageConfig;
  private readonly tables = new Map<TableName, SharedTable>();
  private importedBus?: events.IEventBus;
  private importedTopic?: sns.ITopic;
  private importedUserPool?: CustomerUserPool;
  private importedWebhookSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, stage: StageConfig) {
    this.scope = scope;
    this.stage = stage;
  }

  table(name: TableName): SharedTable {
    let shared = this.tables.get(name);
    if (!shared) {
      const { id, parameter, environmentVariable, indexes } = TABLES[name];
      const tableName = readParameter(this.scope, this.stage, parameter);
      // The import is told no index, or CDK's grants would add `<table>/index/*`: bindTable grants
      // Query on the indexes a function names, one by one.
      shared = {
        name,
        table: dynamodb.Table.fromTableAttributes(this.scope, id, { tableName }),
        environmentVariable,
        indexes: Object.keys(indexes),
      };
      this.tables.set(name, shared);
    }
    return shared;
  }

  get eventBus(): events.IEventBus {
    this.importedBus ??= events.EventBus.fromEventBusName(
      this.scope,
      'EventBus',
      readParameter(this.scope, this.stage, PARAMETERS.eventBusName),
    );
    return this.importedBus;
  }

  /** The stage's one alarm topic. */
  get alarmTopic(): sns.ITopic {
    this.importedTopic ??= sns.Topic.fromTopicArn(
      this.scope,
      'AlarmTopic',
      readParameter(this.scope, this.stage, PARAMETERS.alarmTopicArn),
    );
    return this.importedTopic;
  }

  /** The identity stack's customer user pool and its app client. */
  get customerUserPool(): CustomerUserPool {
    if (!this.importedUserPool) {
      const stack = Stack.of(this.scope);
      const userPoolId = readParameter(this.scope, this.stage, PARAMETERS.customerUserPoolId);
      this.importedUserPool = {
        userPoolId,
        userPoolClientId: readParameter(this.scope, this.stage, PARAMETERS.customerUserPoolClientId),
        issuer: `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${userPoolId}`,
      };
    }
    return this.importedUserPool;
  }

  /**
   * The secret the bank signs its webhooks with (identity stack). Imported by its complete ARN, so a
   * grant names exactly this secret rather than `<name>-??????`.
   */
  get bankWebhookSecret(): secretsmanager.ISecret {
    this.importedWebhookSecret ??= secretsmanager.Secret.fromSecretCompleteArn(
      this.scope,
      'BankWebhookSecret',
      readParameter(this.scope, this.stage, PARAMETERS.bankWebhookSecretArn),
    );
    return this.importedWebhookSecret;
  }
}
