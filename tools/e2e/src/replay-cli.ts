#!/usr/bin/env node
// `aws events start-replay` for the local cloud, where the AWS CLI may not be installed: the same
// options, plus the local EventBridge endpoint (the `EventBridge` line of `npm start`'s banner). It
// starts the replay, waits for it to end and prints DescribeReplay's answer (docs/runbook.md):
//   node tools/e2e/src/replay-cli.ts --endpoint-url http://127.0.0.1:<port> --replay-name r1 \
//     --event-source-arn <archive ARN> --event-start-time <ISO> --event-end-time <ISO> \
//     --destination '{"Arn":"<bus ARN>","FilterArns":["<rule ARN>"]}'
import { parseArgs } from 'node:util';
import { DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';

const { values } = parseArgs({
  options: {
    'endpoint-url': { type: 'string' },
    'replay-name': { type: 'string' },
    'event-source-arn': { type: 'string' },
    'event-start-time': { type: 'string' },
    'event-end-time': { type: 'string' },
    destination: { type: 'string' },
    region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-west-1' },
  },
});
const required = ['endpoint-url', 'replay-name', 'event-source-arn', 'event-start-time', 'event-end-time'];
const missing = required.filter((name) => values[name as keyof typeof values] === undefined);
if (missing.length > 0 || values.destination === undefined) {
  console.error(`Missing --${[...missing, ...(values.destination ? [] : ['destination'])].join(', --')}`);
  process.exit(2);
}

const client = new EventBridgeClient({
  endpoint: values['endpoint-url'],
  region: values.region,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const ReplayName = values['replay-name'];
try {
  await client.send(
    new StartReplayCommand({
      ReplayName,
      EventSourceArn: values['event-source-arn'],
      EventStartTime: new Date(values['event-start-time'] as string),
      EventEndTime: new Date(values['event-end-time'] as string),
      Destination: JSON.parse(values.destination),
    }),
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const replay = await client.send(new DescribeReplayCommand({ ReplayName }));
    if (!['STARTING', 'RUNNING', 'CANCELLING'].includes(replay.State ?? '') || Date.now() > deadline) {
      const { $metadata: _metadata, ...described } = replay;
      process.stdout.write(`${JSON.stringify(described, null, 2)}\n`);
      process.exit(replay.State === 'COMPLETED' ? 0 : 1);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
} catch (error) {
  console.error(`The replay was refused: ${(error as Error).name}: ${(error as Error).message}`);
  process.exit(1);
}
