import { COMMANDS } from '@shop/contracts/commands';
import { type Stack, type StackProps, Stage, type StageProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DataStack } from './stacks/data-stack.ts';
import { IdentityStack } from './stacks/identity-stack.ts';
import { InvoicesService } from './stacks/invoices-service.ts';
import { OrdersService } from './stacks/orders-service.ts';
import { PaymentsService } from './stacks/payments-service.ts';
import { type ScenarioSuiteRunner, ScenariosStack } from './stacks/scenarios-stack.ts';
import { APP_NAME, type StageConfig, stackName } from './stages.ts';

export interface ServerlessCommerceStageProps extends StageProps {
  readonly config: StageConfig;
  /** Who runs the scenario suite against this stage once deployed: the stage then has a role for it. */
  readonly scenarioSuiteRunner?: ScenarioSuiteRunner;
}

/**
 * The whole application in one stage: the two stateful stacks (data, identity), then one stack per
 * service. The same class is deployed from a laptop (personal stages) and by the pipeline (test, prod).
 *
 * Deployment order follows the SSM parameters each stack reads: data and identity (which read
 * nothing) → invoices → payments → orders. addDependency only orders the deployments; no value
 * crosses stacks as an export. A stage the scenario suite runs against (test, previews) also has the
 * scenarios stack, the suite's role, after data, identity and invoices.
 */
export class ServerlessCommerceStage extends Stage {
  readonly config: StageConfig;
  readonly data: DataStack;
  readonly identity: IdentityStack;
  readonly invoices: InvoicesService;
  readonly payments: PaymentsService;
  readonly orders: OrdersService;
  /** The scenario suite's role, where a runner was given. */
  readonly scenarios?: ScenariosStack;

  constructor(scope: Construct, id: string, props: ServerlessCommerceStageProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      env: { region: config.region, ...(config.account ? { account: config.account } : {}) },
    });
    this.config = config;

    // Stack tags are set explicitly (feature flag @aws-cdk/core:explicitStackTags); Tags.of tags
    // every resource in the templates, which is what the stage's budget filters on. `retains-data`
    // and `expires-at` are what `npm run stages -- prune` decides on (infra/scripts/stages.ts).
    const tags = {
      app: APP_NAME,
      stage: config.name,
      owner: config.owner,
      'retains-data': String(config.retainData),
      ...(config.expiresAt ? { 'expires-at': config.expiresAt } : {}),
    };
    for (const [key, value] of Object.entries(tags)) Tags.of(this).add(key, value);
    const stackProps = (name: string, description: string): StackProps => ({
      stackName: stackName(config, name),
      description,
      terminationProtection: config.terminationProtection,
      tags,
    });

    this.data = new DataStack(this, 'Data', {
      ...stackProps(
        'data',
        'Tables, event bus and archive, event stream: the stateful part, deployed first.',
      ),
      stage: config,
    });
    this.identity = new IdentityStack(this, 'Identity', {
      ...stackProps(
        'identity',
        'Customer user pool and app client, bank webhook signing secret: stateful, deployed before the services.',
      ),
      stage: config,
    });
    this.invoices = new InvoicesService(this, 'Invoices', {
      ...stackProps('invoices', 'Invoices service: invoice-requests queue, issue-invoice, get-invoice.'),
      stage: config,
    });
    this.payments = new PaymentsService(this, 'Payments', {
      ...stackProps(
        'payments',
        'Payments service: PaymentWorkflow, its tasks, payment-requests and cancellations.',
      ),
      stage: config,
    });
    this.orders = new OrdersService(this, 'Orders', {
      ...stackProps('orders', 'Orders service: the HTTP API, order functions, order-events queue.'),
      stage: config,
    });
    this.invoices.addStackDependency(this.data, 'reads the data stack parameters');
    this.payments.addStackDependency(this.data, 'reads the data stack parameters');
    this.payments.addStackDependency(
      this.invoices,
      `sends ${COMMANDS.IssueInvoice.type} to the ${COMMANDS.IssueInvoice.queue} queue`,
    );
    this.payments.addStackDependency(this.identity, 'verifies bank webhooks with the identity stack secret');
    this.orders.addStackDependency(this.data, 'reads the data stack parameters');
    this.orders.addStackDependency(
      this.payments,
      `sends ${COMMANDS.RequestPayment.type}; routes to confirm-bank-transfer`,
    );
    this.orders.addStackDependency(this.invoices, 'routes GET /invoices/{invoiceId} to get-invoice');
    this.orders.addStackDependency(this.identity, 'authorizes customer routes with the customer user pool');
    if (props.scenarioSuiteRunner) {
      this.scenarios = new ScenariosStack(this, 'Scenarios', {
        ...stackProps('scenarios', 'The role the scenario suite assumes to check the deployed stage.'),
        stage: config,
        runner: props.scenarioSuiteRunner,
      });
      this.scenarios.addStackDependency(this.data, 'reads the data stack parameters');
      this.scenarios.addStackDependency(this.identity, 'reads the identity stack parameters');
      this.scenarios.addStackDependency(this.invoices, 'reads the invoice consumer parameter');
    }
  }

  /** Every stack of the stage, in deployment order: the stateful ones first. */
  get stacks(): readonly Stack[] {
    const application = [this.data, this.identity, this.invoices, this.payments, this.orders];
    return this.scenarios ? [...application, this.scenarios] : application;
  }
}
