import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  defaultPersonalStageName,
  expiryDate,
  isDisposableStageName,
  isPersonalStageName,
  isPreviewStageName,
  physicalName,
  readAppContext,
  type StageContext,
  stageConfig,
} from '../src/stages.ts';

const context: StageContext = {
  region: 'eu-west-1',
  owner: 'platform-team',
  testAccount: '222222222222',
  prodAccount: '333333333333',
};

describe('stage configuration', () => {
  it('names the default personal stage after the OS user, as a valid stage name', () => {
    expect(defaultPersonalStageName('alice')).toBe('dev-alice');
    expect(defaultPersonalStageName('Jane.Doe')).toBe('dev-jane-doe');
    expect(defaultPersonalStageName('a-very-long-user-name-indeed')).toBe('dev-a-very-long-user');
    expect(isPersonalStageName(defaultPersonalStageName('__'))).toBe(true);
  });

  it('destroys personal stages with their stack, keeps one Kinesis shard and a budget, and skips the dashboard', () => {
    const stage = stageConfig('dev-alice', context, {});
    expect(stage).toMatchObject({
      personal: true,
      removal: RemovalPolicy.DESTROY,
      retainData: false,
      terminationProtection: false,
      canary: false,
      dashboard: false,
      kinesisShards: 1,
      owner: 'alice',
    });
    expect(stage.budgetMonthlyUsd).toBeGreaterThan(0);
    expect(stage.reservedConcurrency).toBeUndefined();
  });

  it('deploys a personal stage wherever the CLI found credentials, and environment-agnostic without them', () => {
    expect(stageConfig('dev-alice', context, {}).account).toBeUndefined();
    expect(
      stageConfig('dev-alice', context, {
        CDK_DEFAULT_ACCOUNT: '444444444444',
        CDK_DEFAULT_REGION: 'us-west-2',
      }),
    ).toMatchObject({ account: '444444444444', region: 'us-west-2' });
  });

  it('retains and protects test and prod, each in its own account, and releases them with a canary', () => {
    for (const name of ['test', 'prod']) {
      const stage = stageConfig(name, context, { CDK_DEFAULT_ACCOUNT: '444444444444' });
      expect(stage).toMatchObject({
        personal: false,
        removal: RemovalPolicy.RETAIN,
        retainData: true,
        terminationProtection: true,
        canary: true,
        dashboard: true,
      });
      expect(stage.kinesisShards, 'an on-demand stream').toBeUndefined();
      expect(stage.budgetMonthlyUsd).toBeUndefined();
      expect(stage.reservedConcurrency).toBeGreaterThan(0);
    }
    expect(stageConfig('test', context, {}).account).toBe('222222222222');
    expect(stageConfig('prod', context, {}).account).toBe('333333333333');
  });

  it('waits three days for a bank transfer in prod and less elsewhere', () => {
    expect(stageConfig('prod', context, {}).bankTransferTimeout.toDays()).toBe(3);
    expect(stageConfig('test', context, {}).bankTransferTimeout.toHours()).toBeLessThan(72);
    expect(stageConfig('dev-alice', context, {}).bankTransferTimeout.toHours()).toBeLessThan(72);
  });

  it('gives the local stage the same template on every machine, whatever credentials are around', () => {
    const local = stageConfig('local', context, {
      CDK_DEFAULT_ACCOUNT: '444444444444',
      CDK_DEFAULT_REGION: 'us-west-2',
    });
    expect(local).toMatchObject({ personal: true, region: 'eu-west-1', removal: RemovalPolicy.DESTROY });
    expect(local.account).toBeUndefined();
    expect(local.budgetMonthlyUsd).toBeUndefined();
  });

  it('dates the expiry of a personal stage two weeks after the deploy, and of a preview stage one week', () => {
    const today = new Date('2026-11-27T18:00:00Z');
    expect(expiryDate(today, 14)).toBe('2026-12-11');
    expect(stageConfig('dev-alice', context, {}, today).expiresAt).toBe('2026-12-11');
    expect(stageConfig('pr-42', context, {}, today).expiresAt).toBe('2026-12-04');
    for (const name of ['local', 'test', 'prod'])
      expect(stageConfig(name, context, {}, today).expiresAt).toBeUndefined();
  });

  it('configures a preview stage pr-<number> like a personal stage, owned by the pull request author', () => {
    const preview = stageConfig('pr-42', context, { STAGE_OWNER: 'octocat' });
    const personal = stageConfig('dev-alice', context, {});
    expect(preview).toMatchObject({
      name: 'pr-42',
      owner: 'octocat',
      removal: RemovalPolicy.DESTROY,
      retainData: false,
      terminationProtection: false,
      kinesisShards: personal.kinesisShards,
      budgetMonthlyUsd: personal.budgetMonthlyUsd,
    });
    expect(stageConfig('pr-42', context, {}).owner).toBe('pr-42');
    expect(physicalName(preview, 'orders')).toBe('serverless-commerce-pr-42-orders');
  });

  it('tells disposable stages (personal and preview) from the others', () => {
    expect(['pr-1', 'pr-12345678'].every(isPreviewStageName)).toBe(true);
    expect(['pr-0', 'pr-01', 'pr-123456789', 'pr-x', 'dev-pr-1'].some(isPreviewStageName)).toBe(false);
    expect(['dev-alice', 'pr-7'].every(isDisposableStageName)).toBe(true);
    expect(['test', 'prod', 'local'].some(isDisposableStageName)).toBe(false);
  });

  it('refuses an unknown stage name and says which names exist', () => {
    expect(() => stageConfig('staging', context, {})).toThrow(
      /Unknown stage "staging".*dev-<name>.*pr-<number>/,
    );
    expect(() => stageConfig('pr-0', context, {})).toThrow(/Unknown stage/);
    expect(() => stageConfig('dev-Alice', context, {})).toThrow(/Unknown stage/);
    expect(() => stageConfig('dev-this-name-is-far-too-long', context, {})).toThrow(/at most 20 characters/);
  });

  it('prefixes physical names with the application and the stage', () => {
    expect(physicalName(stageConfig('dev-alice', context, {}), 'orders')).toBe(
      'serverless-commerce-dev-alice-orders',
    );
  });

  it('names the context value that is missing', () => {
    const read = (key: string) => ({ region: 'eu-west-1', owner: 'team', testAccount: '222222222222' })[key];
    expect(() => readAppContext(read)).toThrow(/"prodAccount".*-c prodAccount=/);
  });
});
