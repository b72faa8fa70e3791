/**
 * Configuration for AWS SDK v3 clients that works the same on AWS and against local emulators.
 *
 * On AWS nothing is overridden: the SDK finds the region, credentials and endpoints itself. When an
 * `AWS_ENDPOINT_URL_<SERVICE>` variable is set (the local cloud and the tests set them), the endpoint
 * and the credentials from the environment are passed explicitly, because recent SDK versions skip
 * environment credentials when `AWS_PROFILE` is exported, and a developer's real shell must never
 * send a local request to AWS.
 */

/**
 * The variable that points each service at a local endpoint: the SDK's own name, made of the
 * service's id (`Secrets Manager` → `SECRETS_MANAGER`), which is not always the client's short name.
 */
export const ENDPOINT_VARIABLES = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  sfn: 'AWS_ENDPOINT_URL_SFN',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  kinesis: 'AWS_ENDPOINT_URL_KINESIS',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
} as const;

export type AwsService = keyof typeof ENDPOINT_VARIABLES;

export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SQS only: send to the configured endpoint, not to the host in the queue URL. */
  useQueueUrlAsEndpoint?: boolean;
}

export function awsClientConfig(service: AwsService, env: NodeJS.ProcessEnv = process.env): AwsClientConfig {
  const endpoint = env[ENDPOINT_VARIABLES[service]];
  if (!endpoint) return {};
  const config: AwsClientConfig = {
    region: env.AWS_REGION ?? 'us-east-1',
    endpoint,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    },
  };
  if (service === 'sqs') config.useQueueUrlAsEndpoint = false;
  return config;
}
