import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { readEnv } from '@shop/shared/config';
import { createEventPublisher } from '@shop/shared/event-bus';

const config = readEnv({ busName: 'EVENT_BUS_NAME' });

/** Publishes this service's events (source `serverless-commerce.invoices`) to the application bus. */
export const eventPublisher = createEventPublisher({
  client: new EventBridgeClient(awsClientConfig('eventbridge')),
  busName: config.busName,
  service: 'invoices',
});
