import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { afterAll, describe, expect, it } from 'vitest';
import { localModelOf } from '../fixtures/local-cloud-app.ts';
import { synthesizeScheduleStack } from '../fixtures/schedule-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/** The scheduled rules of a synthesized template, as the local EventBridge runs them. */
const folders = temporaryFolders();
afterAll(() => folders.removeAll());

function modelOf(customize?: Parameters<typeof synthesizeScheduleStack>[1]) {
  const outdir = folders.make('schedule-template-');
  synthesizeScheduleStack(outdir, customize);
  return localModelOf(outdir);
}

const recorderArn = 'arn:aws:lambda:eu-west-1:000000000000:function:schedules-test-recorder';

describe('the scheduled rules of a template', () => {
  it('reads each enabled one with its ARN, expression and targets, and leaves a disabled one out', () => {
    const model = modelOf();

    expect(model.schedules).toEqual([
      {
        name: 'tidy-up',
        arn: 'arn:aws:events:eu-west-1:000000000000:rule/tidy-up',
        expression: 'rate(1 hour)',
        targets: [{ id: 'Target0', arn: recorderArn }],
      },
      expect.objectContaining({ name: 'night-sweep', expression: 'cron(15 2 * * ? *)' }),
    ]);
    expect(model.rules).toEqual([]);
    expect(model.notes.filter((note) => note.includes('schedul'))).toEqual([]);
  });

  it('runs a rule with both an event pattern and a schedule on each', () => {
    const model = modelOf(({ stack, recorder }) => {
      new events.Rule(stack, 'Both', {
        ruleName: 'sweep-on-demand',
        schedule: events.Schedule.rate(Duration.minutes(5)),
        eventPattern: { source: ['sweeper.manual'] },
        targets: [new targets.LambdaFunction(recorder)],
      });
    });

    expect(model.rules.map((rule) => rule.name)).toEqual(['sweep-on-demand']);
    expect(model.schedules.map((schedule) => schedule.name)).toContain('sweep-on-demand');
  });

  it('refuses a schedule on a bus other than the default one, where EventBridge has none', () => {
    expect(() =>
      modelOf(({ stack, recorder }) => {
        // CDK refuses the pair, so the template is written as another tool might write it.
        new events.CfnRule(stack, 'OnOwnBus', {
          name: 'sweep-on-own-bus',
          eventBusName: new events.EventBus(stack, 'OwnBus', { eventBusName: 'schedules-test-bus' })
            .eventBusName,
          scheduleExpression: 'rate(5 minutes)',
          targets: [{ id: 'Recorder', arn: recorder.functionArn }],
        });
      }),
    ).toThrow('OnOwnBus has a ScheduleExpression on event bus schedules-test-bus');
  });
});
