import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';

/**
 * DynamoDB (dynalite) and SQS (fauxqs) emulators started in this process, on loopback and ephemeral
 * ports. They speak the real wire protocols, so the real SDK clients run against them unchanged.
 */
export interface Emulators {
  endpoints: LocalEndpoints;
  stop(): Promise<void>;
}

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
}

export async function startEmulators(): Promise<Emulators> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  const sqs = buildApp({ logger: false });
  await sqs.listen({ host: '127.0.0.1', port: 0 });
  const sqsPort = (sqs.server.address() as AddressInfo).port;
  const dynamoPort = (dynamo.address() as AddressInfo).port;
  return {
    endpoints: { dynamodb: `http://127.0.0.1:${dynamoPort}`, sqs: `http://127.0.0.1:${sqsPort}` },
    async stop() {
      await sqs.close();
      await new Promise<void>((resolve) => dynamo.close(() => resolve()));
    },
  };
}

/**
 * Points the AWS SDK of this process at the emulators, with dummy credentials and no way to reach a
 * real AWS endpoint even when the developer's shell exports AWS_PROFILE or real keys.
 */
export function useEmulatorEnvironment(
  endpoints: LocalEndpoints,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  Object.assign(env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    // No emulator covers these two in unit and handler tests; the tests that need them mock the
    // client explicitly. The unroutable endpoints make any forgotten call fail fast, never reach AWS.
    AWS_ENDPOINT_URL_EVENTBRIDGE: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SFN: 'http://127.0.0.1:9',
    POWERTOOLS_SERVICE_NAME: 'test',
    POWERTOOLS_METRICS_NAMESPACE: 'ServerlessCommerceTest',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'SILENT',
  });
}
