import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PARAMETERS, type ParameterRef, readParameter } from './parameters.ts';
import type { StageConfig } from './stages.ts';

export type TableName = 'orders' | 'payments' | 'invoices' | 'idempotency';

/** A table of the data stack, with the environment variable that names it to a function. */
export interface SharedTable {
  readonly table: dynamodb.ITable;
  readonly environmentVariable: string;
}

const TABLES: Record<TableName, { id: string; parameter: ParameterRef; environmentVariable: string }> = {
  orders: {
    id: 'OrdersTable',
    parameter: PARAMETERS.ordersTableName,
    environmentVariable: 'ORDERS_TABLE_NAME',
  },
  payments: {
    id: 'PaymentsTable',
    parameter: PARAMETERS.paymentsTableName,
    environmentVariable: 'PAYMENTS_TABLE_NAME',
  },
  invoices: {
    id: 'InvoicesTable',
    parameter: PARAMETERS.invoicesTableName,
    environmentVariable: 'INVOICES_TABLE_NAME',
  },
  idempotency: {
    id: 'IdempotencyTable',
    parameter: PARAMETERS.idempotencyTableName,
    environmentVariable: 'IDEMPOTENCY_TABLE_NAME',
  },
};

/**
 * What a service stack uses of the data stack, found through the data stack's SSM parameters.
 * Each resource is imported on first use, so a template only reads the parameters it needs.
 * Names are enough: the tables, the bus and the stack share an account and a region, so their
 * ARNs follow from the names.
 */
export class SharedData {
  private readonly scope: Construct;
  private readonly stage: StageConfig;
  private readonly tables = new Map<TableName, SharedTable>();
  private importedBus?: events.IEventBus;
  private importedTopic?: sns.ITopic;

  constructor(scope: Construct, stage: StageConfig) {
    this.scope = scope;
    this.stage = stage;
  }

  table(name: TableName): SharedTable {
    let shared = this.tables.get(name);
    if (!shared) {
      const { id, parameter, environmentVariable } = TABLES[name];
      const tableName = readParameter(this.scope, this.stage, parameter);
      // No index names are given, so grants cover the table alone: no function queries an index yet.
      shared = {
        table: dynamodb.Table.fromTableAttributes(this.scope, id, { tableName }),
        environmentVariable,
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
}
