import { SQSClient } from '@aws-sdk/client-sqs';
import { type LocalFauxqs, startLocalFauxqs } from '../../src/emulators/local-fauxqs.ts';

/** The local SQS these tests start, and the SQS client a user points at it. */
export const region = 'eu-west-1';
export const accountId = '000000000000';
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export function startLocalSqs(persistDir?: string): Promise<LocalFauxqs> {
  return startLocalFauxqs({ region, accountId, ...(persistDir ? { persistDir } : {}) });
}

export function clientOf(sqs: LocalFauxqs): SQSClient {
  return new SQSClient({ region, credentials, endpoint: sqs.endpoint, useQueueUrlAsEndpoint: false });
}
