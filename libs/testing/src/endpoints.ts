import { inject } from 'vitest';

/** The region of every emulator and client in the tests. */
export const REGION = 'us-east-1';

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  /** Starts with no bus but `default`: each test file creates its own (`createTestBus`). */
  eventbridge: string;
  /**
   * Starts with no state machine: each test file creates its own (`createTestWorkflow`). Runs no
   * functions: its callback tasks send their token to an SQS queue.
   */
  stepfunctions: string;
  /** Starts with no secret: each test file creates its own (CreateSecret). */
  secretsmanager: string;
  /** Closes every connection it accepts: a client pointed at it fails as on an outage. */
  refusing: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localEndpoints: LocalEndpoints;
  }
}

/** The endpoints of the emulators the global setup started for this test run. */
export function localEndpoints(): LocalEndpoints {
  return inject('localEndpoints');
}

/**
 * Points the AWS SDK of this process at the emulators, with dummy credentials and no way to reach a
 * real AWS endpoint even when the developer's shell exports AWS_PROFILE or real keys. It lives here,
 * not beside the emulators: the setup file runs it in every test worker, and importing the
 * emulators there would load them, and what they import, before a test file's vi.mock could
 * replace it.
 */
export function useEmulatorEnvironment(
  endpoints: LocalEndpoints,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_PROFILE']) delete env[name];
  Object.assign(env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    AWS_ENDPOINT_URL_SFN: endpoints.stepfunctions,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager,
    POWERTOOLS_SERVICE_NAME: 'test',
    POWERTOOLS_METRICS_NAMESPACE: 'ServerlessCommerceTest',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: env.TEST_LOG_LEVEL ?? 'SILENT',
  });
}
