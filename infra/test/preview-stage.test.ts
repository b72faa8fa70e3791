import { afterAll, describe, expect, it } from 'vitest';
import { TABLES } from '../src/shared-data.ts';
import { APP_NAME, expiryDate, PREVIEW_STAGE_DAYS } from '../src/stages.ts';
import { resourcesOf, synthesize } from './synth.ts';

describe('a preview stage pr-<number>', () => {
  const synthesizedOn = new Date();
  const synthesized = synthesize('pr-42');
  const { stacks } = synthesized.stage;
  afterAll(() => synthesized.cleanup());

  it('prefixes its stacks and physical names with the stage, beside personal stages', () => {
    expect(stacks.map((stack) => stack.stackName)).toEqual(
      stacks.map((stack) => `${APP_NAME}-pr-42-${stack.node.id.toLowerCase()}`),
    );
    expect(stacks.slice(0, 2).map((stack) => stack.stackName)).toEqual(
      ['data', 'identity'].map((stack) => `${APP_NAME}-pr-42-${stack}`),
    );
    synthesized.template(synthesized.stage.data).hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `${APP_NAME}-pr-42-orders`,
    });
  });

  it('can be destroyed whole: no termination protection, and its tables, user pool and secret go with their stacks', () => {
    for (const stack of stacks) expect(stack.terminationProtection).toBe(false);
    const stateful = [
      ...resourcesOf(synthesized.template(synthesized.stage.data), 'AWS::DynamoDB::Table'),
      ...resourcesOf(synthesized.template(synthesized.stage.identity)).filter(([, resource]) =>
        ['AWS::Cognito::UserPool', 'AWS::SecretsManager::Secret'].includes(resource.Type),
      ),
    ];
    // Every table, the user pool and the webhook's secret.
    expect(stateful).toHaveLength(Object.keys(TABLES).length + 2);
    for (const [id, resource] of stateful) expect(resource.DeletionPolicy, id).toBe('Delete');
  });

  it('tags every stack with what prune decides on: expires-at a week out, and no retained data', () => {
    // Dated at synth: the day may have turned since.
    const days = [synthesizedOn, new Date()].map((day) => expiryDate(day, PREVIEW_STAGE_DAYS));
    for (const stack of stacks) {
      const tags = stack.tags.tagValues();
      expect(tags).toMatchObject({ app: APP_NAME, stage: 'pr-42', 'retains-data': 'false' });
      expect(days).toContain(tags['expires-at']);
    }
  });
});
