import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWithDlq } from '../src/constructs/queue-with-dlq.ts';
import { type DeadLetterQueueRunbook, type FunctionRunbook, RUNBOOK_METADATA } from '../src/runbook.ts';
import { stageConfig } from '../src/stages.ts';
import { type CfnResource, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize('dev-alice');
});
afterAll(() => synthesized?.cleanup());

const runbookOf = <T>(resource: CfnResource) =>
  (resource.Metadata as Record<string, T> | undefined)?.[RUNBOOK_METADATA];
const stages = () => [synthesized.stage, synthesized.pipeline.test, synthesized.pipeline.prod];

describe('what docs/runbook.md says about each alarm, kept with the resource', () => {
  it('gives every function of a service what invokes it and what its failure means', () => {
    let checked = 0;
    for (const stage of stages()) {
      for (const stack of [stage.invoices, stage.payments, stage.orders]) {
        const functions = resourcesOf(synthesized.template(stack), 'AWS::Lambda::Function').filter(
          ([, fn]) => fn.Properties?.Runtime === 'nodejs24.x',
        );
        for (const [id, fn] of functions) {
          const runbook = runbookOf<FunctionRunbook>(fn);
          expect(runbook?.invokedBy, `${stack.stackName}/${id}`).toMatch(/\w/);
          expect(runbook?.failureMeans, `${stack.stackName}/${id}`).toMatch(/\w/);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it("names, on every queue's DLQ, what waits in it and the function consuming the queue", () => {
    let checked = 0;
    for (const stage of stages()) {
      for (const stack of stage.stacks) {
        const template = synthesized.template(stack);
        const resources = new Map(resourcesOf(template));
        const queues = new Map(resourcesOf(template, 'AWS::SQS::Queue'));
        /**
         * The function a mapping invokes: it names the function, or on canary stages the `live` alias
         * (within an Fn::Join), which names the function in turn.
         */
        const functionOf = (name: unknown): CfnResource | undefined => {
          const ref = JSON.stringify(name).match(/"Ref":"(\w+)"/)?.[1];
          const target = ref === undefined ? undefined : resources.get(ref);
          return target?.Type === 'AWS::Lambda::Alias' ? functionOf(target.Properties?.FunctionName) : target;
        };
        const consumers = new Map<string, unknown>();
        for (const [, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
          const { EventSourceArn, FunctionName } = mapping.Properties as {
            EventSourceArn: { 'Fn::GetAtt': string[] };
            FunctionName: unknown;
          };
          const queueId = EventSourceArn['Fn::GetAtt'][0];
          if (queueId) consumers.set(queueId, functionOf(FunctionName)?.Properties?.FunctionName);
        }
        for (const [id, queue] of queues) {
          const target = (
            queue.Properties?.RedrivePolicy as
              | { deadLetterTargetArn?: { 'Fn::GetAtt': string[] } }
              | undefined
          )?.deadLetterTargetArn?.['Fn::GetAtt'][0];
          if (!target) continue;
          const dlq = queues.get(target) as CfnResource;
          const consumer = consumers.get(id);
          expect(consumer, `${stack.stackName}/${id}: its consumer`).toEqual(expect.any(String));
          expect(runbookOf<DeadLetterQueueRunbook>(dlq), `${stack.stackName}/${target}`).toEqual({
            holds: expect.stringMatching(/\w/),
            consumer,
          });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * 4);
    const streamDlq = resourcesOf(synthesized.template(synthesized.stage.data), 'AWS::SQS::Queue').map(
      ([, queue]) => runbookOf<DeadLetterQueueRunbook>(queue),
    );
    expect(streamDlq).toEqual([{ holds: expect.stringContaining('Kinesis stream') }]);
  });

  it('refuses to synthesize a queue that no function consumes, since its DLQ would name no logs to read', () => {
    const app = new App();
    const stack = new Stack(app, 'Unconsumed');
    new QueueWithDlq(stack, 'Orphan', {
      stage: stageConfig(
        'dev-alice',
        {
          region: 'eu-west-1',
          owner: 'platform-team',
          testAccount: '222222222222',
          prodAccount: '333333333333',
        },
        {},
      ),
      name: 'orphan',
      holds: 'nothing anyone reads',
      alarmTopic: new sns.Topic(stack, 'Alarms'),
      consumerTimeout: Duration.seconds(30),
    });
    expect(() => app.synth()).toThrow(/orphan: no function consumes it/);
  });
});
