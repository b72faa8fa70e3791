import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { paginateGetParametersByPath, SSMClient } from '@aws-sdk/client-ssm';
import { PARAMETERS, type ParameterRef, parameterName, stageParameterPath } from '@shop/infra/parameters';
import { physicalName } from '@shop/infra/stages';

/**
 * Where the end-to-end scenarios run: everything they need to reach a stage, read the way a
 * client of the deployed stage reads it (SSM parameters and Secrets Manager, with the SDK's default
 * endpoints and credentials; locally, the `AWS_ENDPOINT_URL_*` variables the local cloud prints).
 * Plain JSON: the scenario files are given it through vitest's `provide`.
 */
export interface Target {
  stage: string;
  region: string;
  apiUrl: string;
  userPoolId: string;
  clientId: string;
  webhookSecret: string;
  tables: { orders: string; payments: string; invoices: string; idempotency: string };
  streamName: string;
  stateMachineArn: string;
  /** The UUID of the event source mapping that hands invoice requests to the invoice function. */
  invoiceConsumerMappingId: string;
}

/** What a stage publishes that the scenarios read, by the key the suite knows it by. */
const READ = {
  apiUrl: PARAMETERS.httpApiUrl,
  userPoolId: PARAMETERS.customerUserPoolId,
  clientId: PARAMETERS.customerUserPoolClientId,
  webhookSecretArn: PARAMETERS.bankWebhookSecretArn,
  orders: PARAMETERS.ordersTableName,
  ordersArn: PARAMETERS.ordersTableArn,
  payments: PARAMETERS.paymentsTableName,
  invoices: PARAMETERS.invoicesTableName,
  idempotency: PARAMETERS.idempotencyTableName,
  streamName: PARAMETERS.eventStreamName,
  invoiceConsumerMappingId: PARAMETERS.invoiceRequestsEventSourceMappingId,
} as const satisfies Record<string, ParameterRef>;

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/**
 * Resolves a stage from its parameters (one GetParametersByPath over `/<app>/<stage>/`) and its
 * webhook secret. The payment workflow is named by the stage (infra's physicalName), in the account
 * the stage's table ARNs name: no call beyond those the pipeline grants the suite.
 */
export async function resolveStage(options: {
  stage: string;
  region: string;
  apiUrl?: string;
}): Promise<Target> {
  const { stage, region } = options;
  const ssm = new SSMClient({ region });
  const secrets = new SecretsManagerClient({ region });
  try {
    const found = await stageParameters(ssm, stage);
    const value = (key: keyof typeof READ) => {
      const name = parameterName({ name: stage }, READ[key]);
      const read = found.get(name);
      if (read === undefined) {
        throw new TargetError(
          `Stage ${stage} in ${region} has no parameter ${name}: is it deployed there (npm run deploy -- --stage ${stage})?`,
        );
      }
      return read;
    };
    const { SecretString: webhookSecret } = await secrets.send(
      new GetSecretValueCommand({ SecretId: value('webhookSecretArn') }),
    );
    if (!webhookSecret) throw new TargetError(`The webhook secret of stage ${stage} has no value`);
    const account = value('ordersArn').split(':')[4];
    return {
      stage,
      region,
      apiUrl: (options.apiUrl ?? value('apiUrl')).replace(/\/$/, ''),
      userPoolId: value('userPoolId'),
      clientId: value('clientId'),
      webhookSecret,
      tables: {
        orders: value('orders'),
        payments: value('payments'),
        invoices: value('invoices'),
        idempotency: value('idempotency'),
      },
      streamName: value('streamName'),
      invoiceConsumerMappingId: value('invoiceConsumerMappingId'),
      stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:${physicalName({ name: stage }, 'payment-workflow')}`,
    };
  } finally {
    ssm.destroy();
    secrets.destroy();
  }
}

async function stageParameters(ssm: SSMClient, stage: string): Promise<Map<string, string>> {
  const path = stageParameterPath({ name: stage });
  const found = new Map<string, string>();
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: true })) {
    for (const { Name, Value } of page.Parameters ?? []) {
      if (Name && Value !== undefined) found.set(Name, Value);
    }
  }
  if (found.size === 0) {
    throw new TargetError(
      `No parameters under ${path}: stage ${stage} is not deployed in this account and region`,
    );
  }
  return found;
}
