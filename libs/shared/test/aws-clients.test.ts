import { describe, expect, it } from 'vitest';
import { awsClientConfig } from '../src/aws-clients.ts';

describe('AWS client configuration', () => {
  it('overrides nothing on AWS, where no local endpoint is set', () => {
    expect(awsClientConfig('dynamodb', { AWS_REGION: 'eu-west-1', AWS_PROFILE: 'prod' })).toEqual({});
  });

  it('passes the local endpoint and the environment credentials explicitly, even with AWS_PROFILE set', () => {
    const config = awsClientConfig('dynamodb', {
      AWS_PROFILE: 'my-real-profile',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567',
    });
    expect(config).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:4567',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' },
    });
  });

  it('sends SQS calls to the configured endpoint rather than the host inside the queue URL', () => {
    const config = awsClientConfig('sqs', { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324' });
    expect(config.useQueueUrlAsEndpoint).toBe(false);
    expect(config.endpoint).toBe('http://127.0.0.1:9324');
  });

  it('reads the Secrets Manager endpoint from the SDK variable named after its service id', () => {
    const endpoint = 'http://127.0.0.1:4583';
    expect(awsClientConfig('secretsmanager', { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint }).endpoint).toBe(
      endpoint,
    );
    expect(awsClientConfig('secretsmanager', { AWS_ENDPOINT_URL_SECRETSMANAGER: endpoint })).toEqual({});
  });
});
