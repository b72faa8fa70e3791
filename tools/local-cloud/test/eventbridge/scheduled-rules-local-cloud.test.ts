import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import { cloudSummary } from '../../src/command-line/banner.ts';
import { synthesizeScheduleStack } from '../fixtures/schedule-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * Scheduled rules in a running local cloud: a developer runs one now and its function gets the
 * Scheduled Event; the rules are listed with their next runs, on the banner too; a disabled rule
 * is not among them, and an expression EventBridge would refuse stops the start.
 */
const folders = temporaryFolders();
let cloud: LocalCloud;
let sqs: SQSClient;

beforeAll(async () => {
  const assemblyDir = folders.make('scheduled-rules-cloud-');
  synthesizeScheduleStack(assemblyDir);
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined });
  sqs = new SQSClient({
    endpoint: cloud.endpoints.sqs,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await cloud?.stop();
  folders.removeAll();
});

/** The first event the recorder function passed on, within a deadline. */
async function receivedEvent(): Promise<unknown> {
  const queueUrl = cloud.model.queues.find((queue) => queue.name === 'schedules-test-received')?.url;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }),
    );
    const [message] = Messages ?? [];
    if (message) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      return JSON.parse(message.Body ?? 'null');
    }
  }
  throw new Error('The recorder function passed on no event in time');
}

const post = (path: string) => fetch(`${cloud.url}${path}`, { method: 'POST' });

describe('a scheduled rule in the local cloud', () => {
  it('runs now when a developer asks, and its function gets the Scheduled Event', async () => {
    const response = await post('/_local/schedules/tidy-up/run');
    const answer = (await response.json()) as { rule: string; event: { id: string } };

    expect(response.status).toBe(202);
    expect(answer.rule).toBe('tidy-up');
    expect(await receivedEvent()).toEqual({
      version: '0',
      id: answer.event.id,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:000000000000:rule/tidy-up'],
      detail: {},
    });
  });

  it('answers 404, naming the scheduled rules, for a rule that is not one or is disabled', async () => {
    for (const name of ['no-such-rule', 'paused-sweep']) {
      const response = await post(`/_local/schedules/${name}/run`);

      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          code: 'NotFound',
          message: `No enabled scheduled rule is named ${name} (scheduled rules: tidy-up, night-sweep)`,
        },
      });
    }
  });

  it('is listed with its expression and next run, on the flow page and on the banner', async () => {
    const listed = (await (await fetch(`${cloud.url}/_local/schedules`)).json()) as {
      schedules: { name: string; expression: string; nextRun: string }[];
    };

    expect(listed.schedules.map(({ name, expression }) => [name, expression])).toEqual([
      ['tidy-up', 'rate(1 hour)'],
      ['night-sweep', 'cron(15 2 * * ? *)'],
    ]);
    expect(listed.schedules[1]?.nextRun).toMatch(/T02:15:00Z$/);
    expect(cloudSummary(cloud)).toMatch(
      /Schedules +tidy-up +rate\(1 hour\), next at \S+Z\n +night-sweep {2}cron/,
    );
    expect(cloudSummary(cloud)).toContain(`curl -X POST ${cloud.url}/_local/schedules/<rule name>/run`);
  });
});

describe("a scheduled rule's function", () => {
  it("is on the flow page's diagram, though no route, queue or bus leads to it", async () => {
    const snapshot = (await (await fetch(`${cloud.url}/_local/snapshot`)).json()) as {
      diagram: { functions: { id: string }[] };
    };

    expect(snapshot.diagram.functions.map((fn) => fn.id)).toEqual(['fn:schedules-test-recorder']);
  });
});

describe('a scheduled rule EventBridge would refuse', () => {
  it('stops the local cloud from starting, naming the rule and its expression', async () => {
    const assemblyDir = folders.make('scheduled-rules-refused-');
    synthesizeScheduleStack(assemblyDir, ({ stack, recorder }) => {
      // Noon every day, as Unix cron says it: EventBridge wants a ? in one of the day fields.
      const rule = new events.Rule(stack, 'DailyAtNoon', {
        ruleName: 'daily-at-noon',
        schedule: events.Schedule.expression('cron(0 12 * * * *)'),
        targets: [new targets.LambdaFunction(recorder)],
      });
      // CDK's synthesis warns of it too: that warning is not what this test is about.
      Validations.of(rule).acknowledge({
        id: 'CloudFormation-Validate::E3027',
        reason: 'refused locally on purpose',
      });
    });

    await expect(startLocalCloud({ assemblyDir, port: 0, log: () => undefined })).rejects.toThrow(
      'Rule daily-at-noon cannot run locally: its ScheduleExpression "cron(0 12 * * * *)": one of day-of-month and day-of-week is ?, and only one',
    );
  });
});
