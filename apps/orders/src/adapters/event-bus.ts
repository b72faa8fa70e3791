import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { awsClientConfig } from '@shop/shared/aws-clients';
import { readEnv } from '@shop/shared/config';
import { createEventPublisher } from '@shop/shared/event-bus';

const { busName } = readEnv({ busName: 'EVENT_BUS_NAME' });

/** Domain events of the orders service, on the application's bus. */
export const eventPublisher = createEventPublisher({
  client: new EventBridgeClient(awsClientConfig('eventbridge')),
  busName,
  service: 'orders',
});
