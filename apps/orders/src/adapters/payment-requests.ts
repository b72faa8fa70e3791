import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { readEnv } from '@shop/shared/config';
import type { PaymentRequests } from '../domain/ports.ts';

const { queueUrl } = readEnv({ queueUrl: 'PAYMENT_REQUESTS_QUEUE_URL' });
const client = new SQSClient(awsClientConfig('sqs'));

/** RequestPayment commands on the payment-requests queue, consumed by payments:start-payment. */
export const paymentRequests: PaymentRequests = {
  async send(command) {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(command) }));
  },
};
