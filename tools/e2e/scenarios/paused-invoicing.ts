import {
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { eventually, settleDeadlineMs, target } from './support.ts';

/**
 * Runs `work` while the invoice consumer is paused: its event source mapping disabled, as an
 * operator pauses a consumer (docs/runbook.md), so a paid order stays PAID; invoice requests wait in
 * their queue and are delivered once it is enabled again. The same Lambda calls on every target.
 * Why a pause and not a test token: docs/adr/0014-scenario-suite-pauses-the-invoice-consumer.md.
 */
export async function whileInvoicingPaused<T>(work: () => Promise<T>): Promise<T> {
  const lambda = new LambdaClient({ region: target.region });
  const UUID = target.invoiceConsumerMappingId;
  const state = async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State;
  const reaches = async (wanted: string) =>
    eventually(state, (now) => now === wanted, await settleDeadlineMs());
  try {
    const before = await state();
    if (before !== 'Enabled') {
      throw new Error(
        `The invoice consumer (event source mapping ${UUID}) is ${before}, not Enabled: another run may be holding it, or one stopped while it did. Once no one holds it on purpose: aws lambda update-event-source-mapping --uuid ${UUID} --enabled`,
      );
    }
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: false }));
    try {
      await reaches('Disabled');
      return await work();
    } finally {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
      await reaches('Enabled');
    }
  } finally {
    lambda.destroy();
  }
}
