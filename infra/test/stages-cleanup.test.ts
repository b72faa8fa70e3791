import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  formatStages,
  listStages,
  monthToDateCosts,
  pruneStages,
  type StageSummary,
  stageOf,
  stageStack,
  verdict,
} from '../scripts/stages.ts';
import { APP_NAME } from '../src/stages.ts';

// CloudFormation and Cost Explorer are mocked: none of the local emulators (dynalite, fauxqs,
// kinesalite, aws-local-stepfunctions) covers them, and neither has an emulator on npm.
const cloudFormationMock = mockClient(CloudFormationClient);
const costExplorerMock = mockClient(CostExplorerClient);
const clients = { cloudFormation: new CloudFormationClient({}), costExplorer: new CostExplorerClient({}) };

const today = new Date('2026-11-27T09:00:00Z');

function aStack(
  stage: string,
  stack: string,
  tags: Record<string, string> = {},
  overrides: Partial<Stack> = {},
): Stack {
  const name = `${APP_NAME}-${stage}-${stack}`;
  return {
    StackName: name,
    StackId: `arn:aws:cloudformation:eu-west-1:222222222222:stack/${name}/0000`,
    CreationTime: new Date('2026-11-01T12:00:00Z'),
    StackStatus: 'UPDATE_COMPLETE',
    EnableTerminationProtection: false,
    Tags: Object.entries({ app: APP_NAME, stage, owner: 'alice', 'retains-data': 'false', ...tags }).map(
      ([Key, Value]) => ({ Key, Value }),
    ),
    ...overrides,
  };
}

const aStage = (stage: string, tags: Record<string, string> = {}, overrides: Partial<Stack> = {}) =>
  ['data', 'identity', 'invoices', 'payments', 'orders'].map((stack) =>
    aStack(stage, stack, tags, overrides),
  );

const noLog = () => {};
const noPause = async () => {};

beforeEach(() => {
  cloudFormationMock.reset();
  costExplorerMock.reset();
});

describe('npm run stages -- list', () => {
  it('groups this app’s stacks by stage with owner, creation and expiry, and skips other apps', async () => {
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({
        Stacks: [
          ...aStage('dev-alice', { 'expires-at': '2026-12-01' }),
          aStack('x', 'y', { app: 'another-app' }),
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({ Stacks: aStage('test', { owner: 'platform-team', 'retains-data': 'true' }) });
    costExplorerMock.on(GetCostAndUsageCommand).resolves({ ResultsByTime: [] });

    const stages = await listStages(clients, today, noLog);
    expect(
      stages.map(({ name, owner, expiresAt, stacks }) => ({ name, owner, expiresAt, stacks: stacks.length })),
    ).toEqual([
      { name: 'dev-alice', owner: 'alice', expiresAt: '2026-12-01', stacks: 5 },
      { name: 'test', owner: 'platform-team', expiresAt: undefined, stacks: 5 },
    ]);
  });

  it('reads the month-to-date cost of each stage from Cost Explorer, grouped by the stage tag', async () => {
    costExplorerMock
      .on(GetCostAndUsageCommand)
      .resolvesOnce({
        ResultsByTime: [
          {
            Groups: [
              { Keys: ['stage$dev-alice'], Metrics: { UnblendedCost: { Amount: '1.25', Unit: 'USD' } } },
              { Keys: ['stage$'], Metrics: { UnblendedCost: { Amount: '9.00', Unit: 'USD' } } },
            ],
          },
        ],
        NextPageToken: 'more',
      })
      .resolvesOnce({
        ResultsByTime: [
          { Groups: [{ Keys: ['stage$pr-7'], Metrics: { UnblendedCost: { Amount: '0.5' } } }] },
        ],
      });

    const costs = await monthToDateCosts(clients.costExplorer, today);
    expect(Object.fromEntries(costs)).toEqual({ 'dev-alice': 1.25, 'pr-7': 0.5 });
    const [first, second] = costExplorerMock
      .commandCalls(GetCostAndUsageCommand)
      .map((call) => call.args[0].input);
    expect(first).toMatchObject({
      TimePeriod: { Start: '2026-11-01', End: '2026-11-28' },
      Granularity: 'MONTHLY',
      Filter: { Tags: { Key: 'app', Values: [APP_NAME] } },
      GroupBy: [{ Type: 'TAG', Key: 'stage' }],
    });
    expect(second?.NextPageToken).toBe('more');
  });

  it('still lists the stages when Cost Explorer refuses, and says why the cost is missing', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves({ Stacks: aStage('dev-alice') });
    costExplorerMock
      .on(GetCostAndUsageCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const warnings: string[] = [];

    const [stage] = await listStages(clients, today, (message) => warnings.push(message));
    expect(stage?.name).toBe('dev-alice');
    expect(stage?.monthToDateUsd).toBeUndefined();
    expect(warnings).toEqual(['Month-to-date costs unavailable (AccessDeniedException: not authorized).']);
    expect(formatStages(stage ? [stage] : [], today)).toMatch(
      /dev-alice\s+alice\s+25d\s+-\s+\?\s+kept: no expires-at tag/,
    );
  });
});

describe('npm run stages -- prune', () => {
  const summary = (stacks: Stack[]): StageSummary => {
    const [first] = stacks.map(stageStack);
    return stageOf(first?.tags.stage ?? '', stacks.map(stageStack));
  };
  const expired = { 'expires-at': '2026-11-26' };

  it('prunes a personal or preview stage once its expires-at day has passed', () => {
    expect(verdict(summary(aStage('dev-alice', expired)), today)).toEqual({
      prune: true,
      reason: 'expired after 2026-11-26',
    });
    expect(verdict(summary(aStage('pr-42', expired)), today).prune).toBe(true);
    expect(verdict(summary(aStage('pr-42', { 'expires-at': '2026-11-27' })), today)).toEqual({
      prune: false,
      reason: 'kept: expires after 2026-11-27',
    });
  });

  it('never prunes a stage that retains data, is protected, is not disposable, or cannot say', () => {
    const kept = (stacks: Stack[]) => verdict(summary(stacks), today);
    expect(kept(aStage('prod', { ...expired, 'retains-data': 'true' })).reason).toBe(
      'kept: not a personal (dev-*) or preview (pr-*) stage',
    );
    expect(kept(aStage('dev-alice', expired, { EnableTerminationProtection: true })).reason).toBe(
      'kept: termination protection',
    );
    expect(kept(aStage('dev-alice', { ...expired, 'retains-data': 'true' })).reason).toBe(
      'kept: retains data',
    );
    const untagged = aStage('dev-bob', expired).map((stack) => ({
      ...stack,
      Tags: stack.Tags?.filter((tag) => tag.Key !== 'retains-data'),
    }));
    expect(kept(untagged)).toEqual({
      prune: false,
      reason: 'kept: no retains-data=false tag, so it may keep data',
    });
    expect(kept(aStage('dev-carol')).reason).toBe('kept: no expires-at tag');
  });

  it('deletes the service stacks first, and the data and identity stacks once they are gone', async () => {
    const stacks = aStage('pr-42', expired);
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    cloudFormationMock
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [{ ...stacks[2], StackStatus: 'DELETE_IN_PROGRESS' } as Stack] })
      .resolves({ Stacks: [{ StackStatus: 'DELETE_COMPLETE' } as Stack] });
    const log: string[] = [];

    const deleted = await pruneStages(clients.cloudFormation, [summary(stacks)], today, {
      dryRun: false,
      log: (message) => log.push(message),
      pause: noPause,
    });
    expect(deleted).toEqual(['pr-42']);
    const order = cloudFormationMock
      .calls()
      .map(
        (call) =>
          `${call.args[0].constructor.name}:${String((call.args[0].input as { StackName?: string }).StackName).split('/')[1]}`,
      );
    expect(order).toEqual([
      `DeleteStackCommand:${APP_NAME}-pr-42-invoices`,
      `DeleteStackCommand:${APP_NAME}-pr-42-payments`,
      `DeleteStackCommand:${APP_NAME}-pr-42-orders`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-invoices`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-invoices`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-payments`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-orders`,
      `DeleteStackCommand:${APP_NAME}-pr-42-data`,
      `DeleteStackCommand:${APP_NAME}-pr-42-identity`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-data`,
      `DescribeStacksCommand:${APP_NAME}-pr-42-identity`,
    ]);
    expect(log).toEqual(
      expect.arrayContaining(['Deleting pr-42 (expired after 2026-11-26).', 'Deleted pr-42.']),
    );
  });

  it('stops before the data and identity stacks when a service stack fails to delete, and says why', async () => {
    cloudFormationMock.on(DeleteStackCommand).resolves({});
    cloudFormationMock.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackStatus: 'DELETE_FAILED', StackStatusReason: 'bucket not empty' } as Stack],
    });

    await expect(
      pruneStages(clients.cloudFormation, [summary(aStage('dev-alice', expired))], today, {
        dryRun: false,
        log: noLog,
        pause: noPause,
      }),
    ).rejects.toThrow(`Deleting ${APP_NAME}-dev-alice-invoices failed: bucket not empty`);
    const deletedStacks = cloudFormationMock
      .commandCalls(DeleteStackCommand)
      .map((call) => call.args[0].input.StackName);
    expect(deletedStacks.some((id) => /-(data|identity)\//.test(id ?? ''))).toBe(false);
  });

  it('lists what it would delete in a dry run and deletes nothing', async () => {
    const log: string[] = [];
    const stages = [
      summary(aStage('dev-alice', expired)),
      summary(aStage('test', { 'retains-data': 'true' })),
    ];
    const deleted = await pruneStages(clients.cloudFormation, stages, today, {
      dryRun: true,
      log: (message) => log.push(message),
      pause: noPause,
    });
    expect(deleted).toEqual(['dev-alice']);
    expect(log).toEqual(['Would delete dev-alice (expired after 2026-11-26).']);
    expect(cloudFormationMock.calls()).toEqual([]);
  });
});
