#!/usr/bin/env node
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// Lists this app's stages in the current account and region, and deletes the expired disposable ones:
//   npm run stages -- list             owner, age, expiry and month-to-date cost of every stage
//   npm run stages -- prune --dry-run  what prune would delete, and why the others stay
//   npm run stages -- prune            deletes expired personal (dev-*) and preview (pr-*) stages
// A stage is its stacks tagged app=<app> and stage=<name>. Prune deletes a stage only when its name
// is disposable, its expires-at day has passed, every stack says retains-data=false and none has
// termination protection: test, prod and anything that keeps data are never touched.
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  paginateDescribeStacks,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { APP_NAME, isDisposableStageName } from '../src/stages.ts';
import { checkCredentials, deploymentRegion, PreflightError } from './preflight.ts';

export interface StageStack {
  readonly name: string;
  readonly id: string;
  readonly createdAt: Date;
  readonly terminationProtection: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface StageSummary {
  readonly name: string;
  readonly owner: string;
  readonly createdAt: Date;
  readonly expiresAt?: string;
  readonly stacks: readonly StageStack[];
  /** Month-to-date cost in USD from Cost Explorer, by the stage tag; unset when unavailable. */
  readonly monthToDateUsd?: number;
}

export interface Verdict {
  readonly prune: boolean;
  readonly reason: string;
}

export interface StageClients {
  readonly cloudFormation: CloudFormationClient;
  readonly costExplorer: CostExplorerClient;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** A stack as prune sees it, from CloudFormation's description. */
export function stageStack(stack: Stack): StageStack {
  return {
    name: stack.StackName ?? '',
    id: stack.StackId ?? stack.StackName ?? '',
    createdAt: stack.CreationTime ?? new Date(0),
    terminationProtection: stack.EnableTerminationProtection === true,
    tags: Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
  };
}

/** This app's stacks, grouped by their stage tag, oldest stage first. */
export async function describeStages(cloudFormation: CloudFormationClient): Promise<StageSummary[]> {
  const byStage = new Map<string, StageStack[]>();
  for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
    for (const stack of (page.Stacks ?? []).map(stageStack)) {
      const stage = stack.tags.stage;
      if (stack.tags.app !== APP_NAME || !stage) continue;
      byStage.set(stage, [...(byStage.get(stage) ?? []), stack]);
    }
  }
  return [...byStage]
    .map(([name, stacks]) => stageOf(name, stacks))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** A stage from its stacks: the owner and expiry their tags give, created with its oldest stack. */
export function stageOf(name: string, stacks: readonly StageStack[]): StageSummary {
  const expiresAt = stacks
    .map((stack) => stack.tags['expires-at'])
    .filter((day) => day !== undefined)
    .sort()
    .at(-1);
  return {
    name,
    owner: stacks.find((stack) => stack.tags.owner)?.tags.owner ?? '?',
    createdAt: new Date(Math.min(...stacks.map((stack) => stack.createdAt.getTime()))),
    ...(expiresAt ? { expiresAt } : {}),
    stacks,
  };
}

/**
 * Month-to-date cost per stage tag, from Cost Explorer. Needs `stage` activated as a cost allocation
 * tag (Billing → Cost allocation tags); costs appear about a day late.
 */
export async function monthToDateCosts(
  costExplorer: CostExplorerClient,
  today: Date,
): Promise<Map<string, number>> {
  const start = `${isoDay(today).slice(0, 8)}01`;
  const costs = new Map<string, number>();
  let nextPageToken: string | undefined;
  do {
    const page = await costExplorer.send(
      new GetCostAndUsageCommand({
        // End is exclusive: tomorrow includes today.
        TimePeriod: { Start: start, End: isoDay(new Date(today.getTime() + DAY_MS)) },
        Granularity: 'MONTHLY',
        Metrics: ['UnblendedCost'],
        Filter: { Tags: { Key: 'app', Values: [APP_NAME], MatchOptions: ['EQUALS'] } },
        GroupBy: [{ Type: 'TAG', Key: 'stage' }],
        ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
      }),
    );
    for (const group of (page.ResultsByTime ?? []).flatMap((result) => result.Groups ?? [])) {
      // Keys are `stage$<value>`; `stage$` alone is the cost of untagged resources.
      const stage = (group.Keys?.[0] ?? '').replace(/^stage\$/, '');
      const amount = Number(group.Metrics?.UnblendedCost?.Amount ?? 0);
      if (stage) costs.set(stage, (costs.get(stage) ?? 0) + amount);
    }
    nextPageToken = page.NextPageToken;
  } while (nextPageToken);
  return costs;
}

/** Every stage with its month-to-date cost; the cost is left out, with a warning, when it cannot be read. */
export async function listStages(
  clients: StageClients,
  today: Date,
  warn: (message: string) => void = console.warn,
): Promise<StageSummary[]> {
  const stages = await describeStages(clients.cloudFormation);
  let costs: Map<string, number> | undefined;
  try {
    costs = await monthToDateCosts(clients.costExplorer, today);
  } catch (error) {
    warn(`Month-to-date costs unavailable (${(error as Error).name}: ${(error as Error).message}).`);
  }
  return stages.map((stage) => (costs ? { ...stage, monthToDateUsd: costs.get(stage.name) ?? 0 } : stage));
}

/** Whether prune deletes a stage, and why (or why not), checked in order of safety. */
export function verdict(stage: StageSummary, today: Date): Verdict {
  if (!isDisposableStageName(stage.name)) {
    return { prune: false, reason: 'kept: not a personal (dev-*) or preview (pr-*) stage' };
  }
  if (stage.stacks.some((stack) => stack.terminationProtection)) {
    return { prune: false, reason: 'kept: termination protection' };
  }
  const retains = stage.stacks.filter((stack) => stack.tags['retains-data'] !== 'false');
  if (retains.length > 0) {
    const tagged = retains.every((stack) => stack.tags['retains-data'] === 'true');
    return {
      prune: false,
      reason: tagged ? 'kept: retains data' : 'kept: no retains-data=false tag, so it may keep data',
    };
  }
  if (!stage.expiresAt) return { prune: false, reason: 'kept: no expires-at tag' };
  if (stage.expiresAt >= isoDay(today))
    return { prune: false, reason: `kept: expires after ${stage.expiresAt}` };
  return { prune: true, reason: `expired after ${stage.expiresAt}` };
}

export interface PruneOptions {
  readonly dryRun: boolean;
  readonly log: (message: string) => void;
  /** Waits between two looks at a deletion in progress. */
  readonly pause: () => Promise<void>;
}

async function waitForDeletion(
  cloudFormation: CloudFormationClient,
  stack: StageStack,
  pause: () => Promise<void>,
) {
  for (;;) {
    // By stack id, a deleted stack is still described (DELETE_COMPLETE) instead of "does not exist".
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack.id }));
    const [current] = Stacks ?? [];
    const status = current?.StackStatus;
    if (status === undefined || status === 'DELETE_COMPLETE') return;
    if (status === 'DELETE_FAILED') {
      throw new Error(`Deleting ${stack.name} failed: ${current?.StackStatusReason ?? 'no reason given'}`);
    }
    await pause();
  }
}

/** The stacks a stage's services read their parameters from, deployed first and deleted last. */
const STATEFUL_STACKS = ['data', 'identity'];

/**
 * Deletes one stage: the service stacks first, then the stateful stacks (data, identity) they read
 * their parameters from, the reverse of the deployment order. Waits for each step, so a failure
 * stops before the data and the customer accounts go.
 */
export async function deleteStage(
  cloudFormation: CloudFormationClient,
  stage: StageSummary,
  options: PruneOptions,
): Promise<void> {
  const stateful = new Set(STATEFUL_STACKS.map((stack) => `${APP_NAME}-${stage.name}-${stack}`));
  const isStateful = (stack: StageStack) => stateful.has(stack.name);
  for (const batch of [stage.stacks.filter((s) => !isStateful(s)), stage.stacks.filter(isStateful)]) {
    for (const stack of batch) {
      options.log(`  deleting ${stack.name}`);
      await cloudFormation.send(new DeleteStackCommand({ StackName: stack.id }));
    }
    for (const stack of batch) await waitForDeletion(cloudFormation, stack, options.pause);
  }
}

/** Deletes every stage whose verdict is prune; returns the names of the stages it deleted (or would). */
export async function pruneStages(
  cloudFormation: CloudFormationClient,
  stages: readonly StageSummary[],
  today: Date,
  options: PruneOptions,
): Promise<string[]> {
  const expired = stages.filter((stage) => verdict(stage, today).prune);
  for (const stage of expired) {
    options.log(
      `${options.dryRun ? 'Would delete' : 'Deleting'} ${stage.name} (${verdict(stage, today).reason}).`,
    );
    if (!options.dryRun) {
      await deleteStage(cloudFormation, stage, options);
      options.log(`Deleted ${stage.name}.`);
    }
  }
  if (expired.length === 0) options.log('No expired stage to delete.');
  return expired.map((stage) => stage.name);
}

export function formatStages(stages: readonly StageSummary[], today: Date): string {
  const rows = stages.map((stage) => [
    stage.name,
    stage.owner,
    `${Math.floor((today.getTime() - stage.createdAt.getTime()) / DAY_MS)}d`,
    stage.expiresAt ?? '-',
    stage.monthToDateUsd === undefined ? '?' : `$${stage.monthToDateUsd.toFixed(2)}`,
    verdict(stage, today).reason,
  ]);
  const table = [['STAGE', 'OWNER', 'AGE', 'EXPIRES', 'COST MTD', 'PRUNE'], ...rows];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  return table
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const USAGE = 'Usage: npm run stages -- list | prune [--dry-run]';

async function main(argv: string[]): Promise<number> {
  let parsed: { positionals: string[]; values: { 'dry-run'?: boolean } };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { 'dry-run': { type: 'boolean' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [command] = positionals;
  if ((command !== 'list' && command !== 'prune') || positionals.length > 1) {
    console.error(USAGE);
    return 2;
  }
  // As npm run deploy: no credentials is one sentence and what to run, not an SDK stack trace, and
  // the region is the one a deploy would use.
  let region: string;
  try {
    checkCredentials();
    region = deploymentRegion();
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    console.error(error.message);
    return 1;
  }
  const today = new Date();
  // Cost Explorer has one endpoint, in us-east-1, whatever the stages' region.
  const clients = {
    cloudFormation: new CloudFormationClient({ region }),
    costExplorer: new CostExplorerClient({ region: 'us-east-1' }),
  };
  console.error(`Stages of ${APP_NAME} in ${region}:`);
  const stages = await listStages(clients, today);
  console.log(stages.length === 0 ? '(none)' : formatStages(stages, today));
  if (command === 'prune') {
    await pruneStages(clients.cloudFormation, stages, today, {
      dryRun: values['dry-run'] === true,
      log: (message) => console.log(message),
      pause: () => new Promise((done) => setTimeout(done, 10_000)),
    });
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`${error.name}: ${error.message}`);
      process.exit(1);
    },
  );
}
